//! Random durations: `"30s"` (constant) or `{ dist = "lognormal", median = "90s", p95 = "4m" }`.

use super::duration::parse_seconds;
use crate::engine::SimDuration;
use crate::rng::Draws;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

/// z-score of the 95th percentile of the standard normal distribution:
/// Φ(z) = 0.95, so z = √2 · erf⁻¹(0.9) = 1.6448536269514722 (a lognormal with
/// log-standard deviation σ has p95 = median · e^(σ·z), hence σ = ln(p95/median) / z).
pub(crate) const Z95: f64 = 1.644_853_626_951_472_2;

/// How many times a negative normal draw is redrawn before clamping to zero (docs/conventions.md).
const NORMAL_REDRAWS: u32 = 16;

/// A distribution of durations, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    Constant(f64),
    Normal {
        mean: f64,
        stddev: f64,
    },
    /// Parameterised by median and log-standard deviation (from the p95 given by the user).
    LogNormal {
        median: f64,
        sigma: f64,
    },
    Exponential {
        mean: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
}

impl Dist {
    /// The lognormal with this median and 95th percentile, in seconds.
    pub(crate) fn lognormal_p95(median: f64, p95: f64) -> Dist {
        Dist::LogNormal { median, sigma: libm::log(p95 / median) / Z95 }
    }

    pub fn sample(&self, draws: &mut Draws) -> SimDuration {
        SimDuration::from_secs_f64(self.sample_secs(draws))
    }

    pub fn sample_secs(&self, draws: &mut Draws) -> f64 {
        match *self {
            Dist::Constant(v) => v,
            Dist::Normal { mean, stddev } => {
                for _ in 0..NORMAL_REDRAWS {
                    let x = mean + stddev * draws.standard_normal();
                    if x >= 0.0 {
                        return x;
                    }
                }
                0.0
            }
            Dist::LogNormal { median, sigma } => draws.lognormal(median, sigma),
            Dist::Exponential { mean } => draws.exponential(mean),
            Dist::Uniform { min, max } => min + (max - min) * draws.uniform(),
        }
    }

    /// The mean, used for estimates (e.g. the size warning before a long run).
    pub fn mean_secs(&self) -> f64 {
        match *self {
            Dist::Constant(v) => v,
            Dist::Normal { mean, .. } => mean.max(0.0),
            Dist::LogNormal { median, sigma } => median * libm::exp(sigma * sigma / 2.0),
            Dist::Exponential { mean } => mean,
            Dist::Uniform { min, max } => (min + max) / 2.0,
        }
    }
}

const FORMS: &str = "a duration like \"30s\", or a table { dist = \"constant\", value }, { dist = \"normal\", mean, stddev }, \
{ dist = \"lognormal\", median, p95 }, { dist = \"exponential\", mean } or { dist = \"uniform\", min, max }";

impl<'de> serde::Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DistVisitor)
    }
}

struct DistVisitor;

impl<'de> Visitor<'de> for DistVisitor {
    type Value = Dist;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(FORMS)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Dist, E> {
        parse_seconds(v).map(Dist::Constant).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dist, E> {
        Err(E::custom(format!("{v} has no unit; expected {FORMS}")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dist, E> {
        Err(E::custom(format!("{v} has no unit; expected {FORMS}")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dist, A::Error> {
        let mut kind: Option<String> = None;
        let mut fields: Vec<(String, f64)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "dist" {
                kind = Some(map.next_value()?);
                continue;
            }
            if !["value", "mean", "stddev", "median", "p95", "min", "max"].contains(&key.as_str()) {
                return Err(de::Error::custom(format!(
                    "unknown key `{key}` in a distribution; expected `dist` and the parameters of {FORMS}"
                )));
            }
            let text: String = map
                .next_value()
                .map_err(|_| de::Error::custom(format!("`{key}` must be a duration string such as \"30s\"")))?;
            let secs = parse_seconds(&text).map_err(|e| de::Error::custom(format!("`{key}`: {e}")))?;
            fields.push((key, secs));
        }
        let kind =
            kind.ok_or_else(|| de::Error::custom(format!("a distribution table needs `dist`; expected {FORMS}")))?;
        build(&kind, &fields).map_err(de::Error::custom)
    }
}

fn build(kind: &str, fields: &[(String, f64)]) -> Result<Dist, String> {
    let allowed: &[&str] = match kind {
        "constant" => &["value"],
        "normal" => &["mean", "stddev"],
        "lognormal" => &["median", "p95"],
        "exponential" => &["mean"],
        "uniform" => &["min", "max"],
        other => {
            return Err(format!(
                "unknown distribution \"{other}\"; expected one of constant, normal, lognormal, exponential, uniform"
            ));
        }
    };
    for (k, _) in fields {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("`{k}` does not belong to dist = \"{kind}\", which takes {}", allowed.join(" and ")));
        }
    }
    let get = |name: &str| -> Result<f64, String> {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("dist = \"{kind}\" needs `{name}` (it takes {})", allowed.join(" and ")))
    };
    Ok(match kind {
        "constant" => Dist::Constant(get("value")?),
        "normal" => Dist::Normal { mean: get("mean")?, stddev: get("stddev")? },
        "lognormal" => {
            let (median, p95) = (get("median")?, get("p95")?);
            if median <= 0.0 || p95 < median {
                return Err(format!("lognormal needs 0 < median <= p95 (got median {median} s, p95 {p95} s)"));
            }
            Dist::lognormal_p95(median, p95)
        }
        "exponential" => {
            let mean = get("mean")?;
            if mean <= 0.0 {
                return Err("exponential needs a positive mean".into());
            }
            Dist::Exponential { mean }
        }
        "uniform" => {
            let (min, max) = (get("min")?, get("max")?);
            if min > max {
                return Err(format!("uniform needs min <= max (got min {min} s, max {max} s)"));
            }
            Dist::Uniform { min, max }
        }
        _ => unreachable!("kind checked above"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{RngStreams, Stream};

    #[derive(serde::Deserialize)]
    struct Holder {
        d: Dist,
    }

    fn parse(src: &str) -> Result<Dist, String> {
        toml::from_str::<Holder>(src).map(|h| h.d).map_err(|e| e.message().to_string())
    }

    #[test]
    fn forms() {
        assert_eq!(parse("d = \"90s\"").unwrap(), Dist::Constant(90.0));
        assert_eq!(
            parse("d = { dist = \"normal\", mean = \"20s\", stddev = \"5s\" }").unwrap(),
            Dist::Normal { mean: 20.0, stddev: 5.0 }
        );
        let Dist::LogNormal { median, sigma } =
            parse("d = { dist = \"lognormal\", median = \"90s\", p95 = \"4m\" }").unwrap()
        else {
            panic!()
        };
        assert_eq!(median, 90.0);
        assert!((sigma - libm::log(240.0 / 90.0) / Z95).abs() < 1e-15);
    }

    #[test]
    fn z95_is_the_95th_percentile_of_the_standard_normal() {
        // Φ(z) = erfc(−z/√2) / 2; at Z95 it is 0.95 to the last bit or two.
        let phi = libm::erfc(-Z95 / std::f64::consts::SQRT_2) / 2.0;
        assert!((phi - 0.95).abs() < 1e-15, "{phi}");
        // One unit in the 4th decimal place off is far outside that.
        assert!((libm::erfc(-1.6449 / std::f64::consts::SQRT_2) / 2.0 - 0.95).abs() > 1e-7);
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(parse("d = 30").unwrap_err().contains("no unit"));
        assert!(parse("d = { dist = \"gamma\", mean = \"1s\" }").unwrap_err().contains("unknown distribution"));
        assert!(parse("d = { dist = \"normal\", mean = \"1s\" }").unwrap_err().contains("needs `stddev`"));
        assert!(
            parse("d = { dist = \"normal\", mean = \"1s\", stddev = \"1s\", p95 = \"2s\" }")
                .unwrap_err()
                .contains("does not belong")
        );
        assert!(
            parse("d = { dist = \"lognormal\", median = \"5s\", p95 = \"1s\" }").unwrap_err().contains("median <= p95")
        );
        assert!(parse("d = { mean = \"1s\" }").unwrap_err().contains("needs `dist`"));
    }

    #[test]
    fn lognormal_p95_is_honoured() {
        let d = Dist::lognormal_p95(90.0, 240.0);
        let mut draws = RngStreams::new(5, 0).draws(Stream::InstanceLaunch, 0, 0);
        let mut xs: Vec<f64> = (0..100_000).map(|_| d.sample_secs(&mut draws)).collect();
        xs.sort_by(f64::total_cmp);
        let p95 = xs[95_000];
        assert!((p95 - 240.0).abs() < 5.0, "{p95}");
    }

    #[test]
    fn normal_never_negative() {
        let d = Dist::Normal { mean: 1.0, stddev: 10.0 };
        let mut draws = RngStreams::new(5, 0).draws(Stream::TaskStartup, 0, 0);
        assert!((0..10_000).all(|_| d.sample_secs(&mut draws) >= 0.0));
    }
}
