//! `spirl-mock-api`: a mock of the Defakto control-plane API (being built).
