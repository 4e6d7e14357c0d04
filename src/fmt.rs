//! Number formatting shared by every layer.
//!
//! It sits at the bottom (beside `units`) because the scenario resolver
//! prints numbers in its error messages and the writers print them in every
//! output: both need the same digits, and the resolver must not reach up into
//! `report` to get them.

/// A number in its shortest round-trip form, in exponent notation when tiny
/// or huge (1e-154 rather than a hundred and fifty zeros).
pub fn fmt_f64(v: f64) -> String {
    let mut s = String::new();
    push_f64(&mut s, v);
    s
}

/// Appends `fmt_f64(v)` to `out` without allocating.
pub fn push_f64(out: &mut String, v: f64) {
    use std::fmt::Write as _;
    let magnitude = v.abs();
    // Whole numbers (counts, most of a time series) print as the integer they are,
    // the same digits as `{v}` without the float formatter; -0 keeps its sign below.
    if (1.0..1e16).contains(&magnitude) && v.fract() == 0.0 {
        if v < 0.0 {
            out.push('-');
        }
        push_u64(out, magnitude as u64);
        return;
    }
    let _ = if v != 0.0 && !(1e-5..1e16).contains(&magnitude) { write!(out, "{v:e}") } else { write!(out, "{v}") };
}

/// Appends `v` in decimal, as `{v}` would, without the formatting machinery.
pub(crate) fn push_u64(out: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

/// Appends milliseconds as seconds with three decimals ("80.000"), as
/// `SimTime`'s `Display` writes the time column of `events.csv`.
pub(crate) fn push_secs_millis(out: &mut String, ms: u64) {
    push_u64(out, ms / 1000);
    out.push('.');
    let frac = ms % 1000;
    for digit in [frac / 100, frac / 10 % 10, frac % 10] {
        out.push(char::from(b'0' + digit as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_short() {
        assert_eq!(fmt_f64(3.0), "3");
        assert_eq!(fmt_f64(0.1), "0.1");
        assert_eq!(fmt_f64(1e-154), "1e-154");
        assert_eq!(fmt_f64(2.5e20), "2.5e20");
        assert_eq!(fmt_f64(0.0), "0");
        assert_eq!(fmt_f64(-1.5e-7).parse::<f64>().unwrap(), -1.5e-7);
    }

    #[test]
    fn whole_numbers_print_as_the_float_formatter_does() {
        for v in [1.0, -1.0, 7.0, 10.0, 685.0, -4096.0, 123456789.0, 9007199254740993.0, 9999999999999998.0, 1e15] {
            assert_eq!(fmt_f64(v), format!("{v}"), "{v}");
        }
        assert_eq!(fmt_f64(-0.0), "-0");
        assert_eq!(fmt_f64(1e16), "1e16");
        assert_eq!(fmt_f64(2.5), "2.5");
        let mut s = String::new();
        push_u64(&mut s, 0);
        push_u64(&mut s, u64::MAX);
        assert_eq!(s, format!("0{}", u64::MAX));
    }

    #[test]
    fn times_print_as_seconds_with_three_decimals() {
        for (ms, text) in [(0, "0.000"), (7, "0.007"), (80_000, "80.000"), (1_234_567, "1234.567"), (10_050, "10.050")]
        {
            let mut s = String::new();
            push_secs_millis(&mut s, ms);
            assert_eq!(s, text);
        }
    }
}
