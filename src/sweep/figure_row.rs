//! The figures of one run as a sweep keeps them: the values in a row, the
//! names in a list shared by every run that reports the same figures.
//!
//! A sweep holds the figures of every finished run until it writes
//! `runs.csv`. Each run reports the same 100-odd names; kept as one map per
//! run, the names cost more memory than the values (a 10,000-run sweep of a
//! tiny scenario peaked at 380 MB, mostly names). Interned once per sweep
//! ([`FigureNames`]), a run costs its values only: what its row of
//! `runs.csv` holds anyway.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// Sorted, distinct figure names.
type Names = Arc<[Box<str>]>;

/// The flattened scalar figures of one run (`cost.total_usd`, ...), sorted by
/// name; `None` is null (undefined, as `summary.json` writes it).
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    names: Names,
    /// One per name, in the same order.
    values: Box<[Option<f64>]>,
}

impl Default for Figures {
    fn default() -> Self {
        Figures { names: Arc::from(Vec::new()), values: Box::default() }
    }
}

impl Figures {
    /// No figures.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `name` (`Some(None)`: reported as null; `None`: not reported).
    pub fn get(&self, name: &str) -> Option<&Option<f64>> {
        self.names.binary_search_by(|n| n.as_ref().cmp(name)).ok().map(|at| &self.values[at])
    }

    /// The names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(AsRef::as_ref)
    }

    /// (name, value) pairs, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<f64>)> {
        self.keys().zip(self.values.iter().copied())
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The same figures with NaN and ±infinity as null: `summary.json`
    /// writes undefined values as null, and they are the same thing.
    pub fn finite_only(mut self) -> Self {
        for value in self.values.iter_mut() {
            *value = value.filter(|number| number.is_finite());
        }
        self
    }
}

impl From<BTreeMap<String, Option<f64>>> for Figures {
    fn from(map: BTreeMap<String, Option<f64>>) -> Self {
        let (names, values): (Vec<Box<str>>, Vec<Option<f64>>) =
            map.into_iter().map(|(name, value)| (name.into_boxed_str(), value)).unzip();
        Figures { names: Arc::from(names), values: values.into_boxed_slice() }
    }
}

/// Collects like a map: sorted by name, the last value of a repeated name wins.
impl FromIterator<(String, Option<f64>)> for Figures {
    fn from_iter<I: IntoIterator<Item = (String, Option<f64>)>>(pairs: I) -> Self {
        Figures::from(pairs.into_iter().collect::<BTreeMap<_, _>>())
    }
}

impl<const N: usize> From<[(String, Option<f64>); N]> for Figures {
    fn from(pairs: [(String, Option<f64>); N]) -> Self {
        pairs.into_iter().collect()
    }
}

/// `figures["cost.total_usd"]`; panics when the name is not reported, as a map does.
impl std::ops::Index<&str> for Figures {
    type Output = Option<f64>;
    fn index(&self, name: &str) -> &Option<f64> {
        self.get(name).unwrap_or_else(|| panic!("no figure named {name}"))
    }
}

/// The name lists of one sweep, each kept once: runs that report the same
/// names share one list.
#[derive(Debug, Default)]
pub struct FigureNames {
    lists: Mutex<BTreeSet<Names>>,
}

impl FigureNames {
    pub fn new() -> Self {
        Self::default()
    }

    /// `figures` with its names replaced by the sweep's shared list of the
    /// same names (added when new).
    pub fn intern(&self, mut figures: Figures) -> Figures {
        // A poisoned lock only means another run panicked while holding it; the set is still whole.
        let mut lists = self.lists.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match lists.get(&figures.names) {
            Some(shared) => figures.names = Arc::clone(shared),
            None => {
                lists.insert(Arc::clone(&figures.names));
            }
        }
        figures
    }

    /// Distinct name lists kept (for tests).
    pub fn lists(&self) -> usize {
        self.lists.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(pairs: &[(&str, Option<f64>)]) -> Figures {
        pairs.iter().map(|(name, value)| (name.to_string(), *value)).collect()
    }

    #[test]
    fn reads_like_a_sorted_map() {
        let f = figures(&[("b", Some(2.0)), ("a", None), ("c", Some(f64::INFINITY)), ("b", Some(3.0))]);
        assert_eq!(f.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(f.get("b"), Some(&Some(3.0)), "the last value of a repeated name wins");
        assert_eq!(f.get("a"), Some(&None));
        assert_eq!(f.get("z"), None);
        assert_eq!(f["b"], Some(3.0));
        let finite = f.finite_only();
        assert_eq!(finite.iter().collect::<Vec<_>>(), [("a", None), ("b", Some(3.0)), ("c", None)]);
        assert!(Figures::new().is_empty());
    }

    #[test]
    fn runs_with_the_same_names_share_one_list() {
        let names = FigureNames::new();
        let one = names.intern(figures(&[("a", Some(1.0)), ("b", Some(2.0))]));
        let two = names.intern(figures(&[("a", Some(5.0)), ("b", None)]));
        let other = names.intern(figures(&[("a", Some(1.0))]));
        assert!(Arc::ptr_eq(&one.names, &two.names));
        assert!(!Arc::ptr_eq(&one.names, &other.names));
        assert_eq!(names.lists(), 2);
        assert_eq!(two.get("a"), Some(&Some(5.0)));
        assert_eq!(two.get("b"), Some(&None));
    }
}
