//! The plain front end's indent (`exec::lines::indent_into`) alone, on a
//! million short lines (`seq`'s) and 100k longer ones, in 64 KiB reads as the
//! runner passes them on, beside the simplest loop, a line at a time (what
//! the `memchr` loop must stay ahead of). Prints the best of 30 runs of each,
//! per line and per byte:
//!
//!   cargo run --release --example indent_speed
//!   -> memchr   short: 6.07 ns/line, 0.881 ns/byte; long: 7.84 ns/line, 0.123 ns/byte
//!   -> by lines short: ...

use std::time::Instant;

/// The same result a line at a time: `str::split` and a push per line.
fn indent_by_lines(out: &mut Vec<u8>, prefix: &str, block: &str) {
    for line in block.split('\n') {
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
}

type Indent = fn(&mut Vec<u8>, &str, &str);

/// Best seconds of 30 for `f` over `text` in 64 KiB reads.
fn best(f: Indent, text: &str, out: &mut Vec<u8>) -> f64 {
    let blocks: Vec<&str> = text
        .as_bytes()
        .chunks(64 * 1024)
        .map(|c| {
            let s = std::str::from_utf8(c).unwrap();
            &s[..s.rfind('\n').unwrap()]
        })
        .collect();
    let mut best = f64::MAX;
    for _ in 0..30 {
        let t = Instant::now();
        for b in &blocks {
            out.clear();
            f(out, "  | ", b);
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let short: String = (1..=1_000_000).map(|i| format!("{i}\n")).collect();
    let long: String = (1..=100_000)
        .map(|i| format!("{i} some longer line of build output, like a compiler's {i}\n"))
        .collect();
    let memchr: Indent = arcaflow_wizard::exec::lines::indent_into;
    // Both give the same bytes.
    for text in [&short, &long, &"a\n\nb".to_string()] {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        memchr(&mut a, "  | ", text);
        indent_by_lines(&mut b, "  | ", text);
        assert_eq!(a, b);
    }
    let mut out = Vec::new();
    for (name, f) in [
        ("memchr  ", memchr),
        ("by lines", indent_by_lines as Indent),
    ] {
        let s = best(f, &short, &mut out);
        let l = best(f, &long, &mut out);
        println!(
            "{name} short: {:.2} ns/line, {:.3} ns/byte; long: {:.2} ns/line, {:.3} ns/byte",
            s * 1e9 / 1e6,
            s * 1e9 / short.len() as f64,
            l * 1e9 / 1e5,
            l * 1e9 / long.len() as f64
        );
    }
}
