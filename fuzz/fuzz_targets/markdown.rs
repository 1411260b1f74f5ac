//! Arbitrary text as Markdown: rendering must never panic or emit a script tag.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let r = curricula::markdown::render(&text, &curricula::markdown::RenderOptions::default());
    assert!(!r.html.contains("<script"));
});
