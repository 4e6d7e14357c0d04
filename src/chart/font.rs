//! The one font every chart uses, compiled into the binary.
//!
//! plotters' default text path goes through fontconfig and freetype, which a
//! user's machine may lack; with the `ab_glyph` feature it only knows fonts
//! registered from bytes, so we register DejaVu Sans (Bitstream Vera licence,
//! `assets/fonts/LICENSE-DejaVu.txt`) under the family name the charts ask for.

use std::sync::OnceLock;

use anyhow::anyhow;
use plotters::style::{FontStyle, register_font};

/// The family name every `TextStyle` in this module uses.
pub(crate) const FAMILY: &str = "sans-serif";

static DEJAVU_SANS: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSans.ttf"));

/// Outcome of the single registration, shared by every thread that draws.
static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// Registers the embedded font once; later calls (from any thread) only read
/// the stored outcome, so calling this before every drawing is cheap.
pub(crate) fn ensure_registered() -> anyhow::Result<()> {
    REGISTERED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "the embedded DejaVu Sans font could not be parsed".to_string())
        })
        .clone()
        .map_err(|message| anyhow!(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_is_idempotent_across_threads() {
        let handles: Vec<_> = (0..4).map(|_| std::thread::spawn(ensure_registered)).collect();
        for handle in handles {
            assert!(handle.join().is_ok_and(|outcome| outcome.is_ok()));
        }
        assert!(ensure_registered().is_ok());
    }
}
