//! Samples and how the table prints them: median with the min–max spread.

/// Repeated measurements of one figure.
#[derive(Debug, Default, Clone)]
pub struct Samples(Vec<f64>);

impl Samples {
    /// Adds one measurement.
    pub fn push(&mut self, v: f64) {
        self.0.push(v);
    }

    /// Whether nothing was measured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The median (mean of the middle two for an even count); 0 when empty.
    pub fn median(&self) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        match v.len() {
            0 => 0.0,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }

    /// The smallest and largest measurement.
    pub fn range(&self) -> (f64, f64) {
        let min = self.0.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self.0.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (min, max)
    }

    /// `median (min–max)` with `unit` formatting each number.
    pub fn cell(&self, unit: Unit) -> String {
        if self.is_empty() {
            return "–".to_string();
        }
        let (min, max) = self.range();
        format!(
            "{} ({}–{})",
            unit.show(self.median()),
            unit.show(min),
            unit.show(max)
        )
    }
}

/// How a figure is shown.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    /// Seconds, shown as seconds.
    Seconds,
    /// Seconds, shown as milliseconds.
    Millis,
    /// KiB, shown as MiB.
    Kib,
    /// Bytes, shown as KiB.
    Bytes,
}

impl Unit {
    fn show(self, v: f64) -> String {
        match self {
            Unit::Seconds => format!("{v:.2} s"),
            Unit::Millis => format!("{:.1} ms", v * 1000.0),
            Unit::Kib => format!("{:.1} MiB", v / 1024.0),
            Unit::Bytes => format!("{:.0} KiB", v / 1024.0),
        }
    }
}

/// `ours / theirs` of the medians, as `0.42×`, with whether it meets `target` (at most).
pub fn ratio(ours: &Samples, theirs: &Samples, target: Option<f64>) -> String {
    if ours.is_empty() || theirs.is_empty() || theirs.median() == 0.0 {
        return "–".to_string();
    }
    let r = ours.median() / theirs.median();
    match target {
        Some(t) if r <= t => format!("**{r:.2}×** ✔ (≤ {t:.2})"),
        Some(t) => format!("**{r:.2}×** ✘ (≤ {t:.2})"),
        None => format!("{r:.2}×"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(v: &[f64]) -> Samples {
        let mut s = Samples::default();
        v.iter().for_each(|x| s.push(*x));
        s
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(samples(&[3.0, 1.0, 2.0]).median(), 2.0);
        assert_eq!(samples(&[4.0, 1.0, 2.0, 3.0]).median(), 2.5);
        assert_eq!(samples(&[]).median(), 0.0);
    }

    #[test]
    fn cell_shows_median_and_spread() {
        assert_eq!(
            samples(&[0.002, 0.001, 0.004]).cell(Unit::Millis),
            "2.0 ms (1.0 ms–4.0 ms)"
        );
    }

    #[test]
    fn ratio_marks_the_target() {
        assert_eq!(
            ratio(&samples(&[1.0]), &samples(&[4.0]), Some(0.3)),
            "**0.25×** ✔ (≤ 0.30)"
        );
        assert_eq!(
            ratio(&samples(&[2.0]), &samples(&[4.0]), Some(0.3)),
            "**0.50×** ✘ (≤ 0.30)"
        );
        assert_eq!(ratio(&samples(&[]), &samples(&[4.0]), None), "–");
    }
}
