//! A progress bar for long inputs, drawn on standard error only when it is a terminal: piped
//! or redirected output stays clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs of more items than this get a progress bar.
pub const THRESHOLD: u64 = 200;

/// A progress bar over `len` items, labelled `what`; hidden (it draws nothing) for short inputs
/// and when standard error is not a terminal.
pub fn bar(len: u64, what: &'static str) -> ProgressBar {
    if len <= THRESHOLD || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    bar
}
