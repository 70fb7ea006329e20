//! The plain front end's indent (`exec::lines::indent_into`) alone, on a
//! million short lines (`seq`'s) and 100k longer ones, in 64 KiB reads as the
//! runner passes them on. Prints the best of 30 runs, per line and per byte:
//!
//!   cargo run --release --example indent_speed
//!   -> short: 3.53 ns/line, 0.512 ns/byte; long: 15.14 ns/line, 0.237 ns/byte

use std::time::Instant;
fn main() {
    let text: String = (1..=1_000_000).map(|i| format!("{i}\n")).collect();
    let blocks: Vec<&str> = text
        .as_bytes()
        .chunks(64 * 1024)
        .map(|c| {
            let s = std::str::from_utf8(c).unwrap();
            let end = s.rfind('\n').unwrap();
            &s[..end]
        })
        .collect();
    let mut out = Vec::new();
    let mut best = f64::MAX;
    for _ in 0..30 {
        let t = Instant::now();
        for b in &blocks {
            out.clear();
            arcaflow_wizard::exec::lines::indent_into(&mut out, "  | ", b);
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let long: String = (1..=100_000)
        .map(|i| format!("{i} some longer line of build output, like a compiler's {i}\n"))
        .collect();
    let mut best_long = f64::MAX;
    for _ in 0..30 {
        let t = Instant::now();
        for c in long.as_bytes().chunks(64 * 1024) {
            let s = std::str::from_utf8(c).unwrap();
            out.clear();
            arcaflow_wizard::exec::lines::indent_into(
                &mut out,
                "  | ",
                &s[..s.rfind('\n').unwrap()],
            );
        }
        best_long = best_long.min(t.elapsed().as_secs_f64());
    }
    println!(
        "short: {:.2} ns/line, {:.3} ns/byte; long: {:.2} ns/line, {:.3} ns/byte",
        best * 1e9 / 1e6,
        best * 1e9 / text.len() as f64,
        best_long * 1e9 / 1e5,
        best_long * 1e9 / long.len() as f64
    );
}
