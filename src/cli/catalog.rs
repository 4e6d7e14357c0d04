//! `ecsim catalog`: the built-in instance types, Fargate prices and sizes.

use super::Failure;
use crate::catalog::{builtin_instance_types, render_catalog_text};

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn exec(_: Args) -> Result<(), Failure> {
    print!("{}", render_catalog_text(&builtin_instance_types()));
    Ok(())
}
