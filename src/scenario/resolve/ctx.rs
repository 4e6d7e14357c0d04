//! The problem list every resolving step writes to, and the small checks
//! they share (ranges, enumerations, names, references).

use super::super::diag::{clip, did_you_mean};
use super::super::duration::Offset;
use crate::calendar::Calendar;
use crate::engine::SimTime;
use crate::fmt::fmt_f64;
use std::collections::{BTreeMap, BTreeSet};

pub(super) struct Ctx {
    pub(super) problems: Vec<(String, String)>,
    /// Names of elements already reported as broken (failed to parse, or an
    /// incomplete instance type): references to them are not called unknown.
    pub(super) broken_names: BTreeSet<String>,
}

impl Ctx {
    pub(super) fn new(broken_names: &BTreeSet<String>) -> Ctx {
        Ctx { problems: Vec::new(), broken_names: broken_names.clone() }
    }

    pub(super) fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.problems.push((path.into(), msg.into()));
    }

    /// Checks `lo <= v <= hi` and finiteness, recording a problem otherwise.
    pub(super) fn range(&mut self, path: &str, v: f64, lo: f64, hi: f64, what: &str) -> bool {
        if !v.is_finite() || v < lo || v > hi {
            let (v, lo, hi) = (fmt_f64(v), fmt_f64(lo), fmt_f64(hi));
            self.err(path, format!("{v} is out of range; {what} must be between {lo} and {hi}"));
            return false;
        }
        true
    }

    pub(super) fn enum_value<T: Copy>(&mut self, path: &str, value: &str, options: &[(&str, T)]) -> Option<T> {
        if let Some((_, v)) = options.iter().find(|(k, _)| *k == value) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
        let hint =
            did_you_mean(value, names.iter().copied()).map(|b| format!("; did you mean \"{b}\"?")).unwrap_or_default();
        self.err(path, format!("\"{}\" is not allowed; expected one of {}{hint}", clip(value), quoted(&names)));
        None
    }

    /// Looks a name up, with a suggestion when it is a likely typo.
    pub(super) fn lookup<T: Copy>(
        &mut self,
        path: &str,
        what: &str,
        name: &str,
        map: &BTreeMap<String, T>,
    ) -> Option<T> {
        if let Some(v) = map.get(name) {
            return Some(*v);
        }
        if self.broken_names.contains(name) {
            return None;
        }
        let hint = did_you_mean(name, map.keys().map(String::as_str))
            .map(|b| format!("; did you mean \"{b}\"?"))
            .unwrap_or_default();
        let known: Vec<&str> = map.keys().map(String::as_str).collect();
        let list = match known.len() {
            0 => "none are defined".to_string(),
            1..=12 => format!("defined: {}", quoted(&known)),
            n => format!("{n} are defined; `ecsim catalog` lists instance types"),
        };
        self.err(path, format!("unknown {what} \"{}\" ({list}){hint}", clip(name)));
        None
    }
}

pub(super) fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// The longest name: a name becomes a file or directory name with a
/// temporary suffix of about 30 bytes, and file systems allow 255.
pub const MAX_NAME_BYTES: usize = 200;

/// Names that become output keys may not contain "." or "[" (docs/conventions.md).
pub(super) fn check_name(ctx: &mut Ctx, path: &str, name: &str) {
    if name.is_empty()
        || name.contains(['.', '[', ']', '"', ','])
        || name.contains(char::is_control)
        || name.trim() != name
        || name.len() > MAX_NAME_BYTES
    {
        ctx.err(
            path,
            format!(
                "name \"{}\" must be non-empty, at most {MAX_NAME_BYTES} bytes, and contain no '.', '[', ']', '\"', ',', \
                 control characters or surrounding spaces",
                clip(&name.escape_debug().to_string())
            ),
        );
    }
}

/// Why `name` cannot name one file or directory inside a results directory,
/// or `None` when it can. The one check for every name that becomes a path
/// (`simulation.name`, `sweep.name`, variant names, and each path component
/// the writers join), so that no name can reach outside the output directory:
/// a name is exactly one normal path component (not `.` or `..`, no root or
/// drive prefix), with no `/` or `\` on any platform, no control character
/// and no surrounding spaces.
pub fn path_name_problem(name: &str) -> Option<String> {
    let mut components = std::path::Path::new(name).components();
    let one_component = matches!(
        (components.next(), components.next()),
        (Some(std::path::Component::Normal(c)), None) if c == name
    );
    if one_component
        && !name.contains(['/', '\\'])
        && !name.contains(char::is_control)
        && name.trim() == name
        && name.len() <= MAX_NAME_BYTES
    {
        return None;
    }
    Some(format!(
        "\"{}\" cannot be a directory name (it names a directory of results); allowed: a non-empty \
         name of at most {MAX_NAME_BYTES} bytes without '/', '\\', control characters or surrounding spaces, \
         other than \".\" and \"..\"",
        clip(&name.escape_debug().to_string())
    ))
}

/// Checks the names of a section's elements and maps each to its file position.
pub(super) fn index_names<'a>(
    ctx: &mut Ctx,
    section: &str,
    names: impl Iterator<Item = Option<&'a str>>,
) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for (i, name) in names.enumerate() {
        let Some(name) = name else { continue };
        let path = format!("{section}[{i}]");
        check_name(ctx, &path, name);
        if map.insert(name.to_string(), i).is_some() {
            ctx.err(path, format!("duplicate name \"{name}\""));
        }
    }
    map
}

/// [`index_names`], each position made the section's typed id.
pub(super) fn index_ids<'a, T>(
    ctx: &mut Ctx,
    section: &str,
    names: impl Iterator<Item = Option<&'a str>>,
    id: fn(usize) -> T,
) -> BTreeMap<String, T> {
    index_names(ctx, section, names).into_iter().map(|(name, i)| (name, id(i))).collect()
}

pub(super) fn offset_to_time(ctx: &mut Ctx, path: &str, off: &Offset, cal: &Calendar) -> SimTime {
    match off {
        Offset::After(d) => SimTime::ZERO + *d,
        Offset::Instant(ts) => match cal.offset_of(*ts) {
            Some(ms) => SimTime::from_millis(ms),
            None => {
                ctx.err(path, format!("{ts} is before simulation.start ({})", cal.start()));
                SimTime::ZERO
            }
        },
    }
}

/// An ECS-style `"ENABLED"` / `"DISABLED"` switch.
pub(super) fn on_off(ctx: &mut Ctx, path: &str, v: Option<&str>, default: bool) -> bool {
    match v {
        None => default,
        Some(s) => ctx.enum_value(path, s, &[("ENABLED", true), ("DISABLED", false)]).unwrap_or(default),
    }
}

#[cfg(test)]
mod tests {
    use super::path_name_problem;

    #[test]
    fn a_path_name_is_one_plain_component() {
        for ok in ["reference", "web-target-vs-spot", "grace-150s", ".hidden", "a.b", "x..y"] {
            assert_eq!(path_name_problem(ok), None, "{ok}");
        }
        for bad in
            ["", ".", "..", "../x", "../../../escaped", "/abs", "/", "a/b", "a\\b", "a/", " a", "a ", "a\nb", "a\0b"]
        {
            assert!(path_name_problem(bad).is_some(), "{bad:?} was accepted");
        }
    }
}
