//! Arbitrary bytes as a module file: parsing must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = curricula::load::parse_module("content/x/modules/m1.md", "m1", &text);
});
