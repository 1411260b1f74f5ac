//! `curricula`: a static site generator for vocational-training curricula.
//!
//! The pipeline is load → check → render → write: [`load`] reads the content tree
//! into the pure [`model`], [`model::check`] validates it, [`render`] turns it into
//! pages with the theme, and [`output`] writes them atomically. [`build`] ties the
//! phases together for the CLI, `serve` and tests.

pub mod bench;
pub mod build;
pub mod case;
pub mod compare;
pub mod diag;
pub mod export;
pub mod highlight;
pub mod incremental;
pub mod inputs;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod synth;
pub mod text;
pub mod watch;
pub mod yaml;
