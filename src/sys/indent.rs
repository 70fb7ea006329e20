//! Indenting a block of child output at memory speed (issue 7's target: a
//! million lines within 1.5x of `cat`): raw stores into a reserved buffer and
//! SSE2 newline masks, which safe slices did not reach.

/// `indent`, appended to `out`: a buffer kept by the caller, so a read's worth
/// of output costs no allocation.
///
/// The hottest loop of the plain front end (every byte of output goes through
/// it), and output lines are often short, so the cost per line is what
/// matters. It takes 64 bytes at a time: one mask of their newlines (SSE2 on
/// x86_64), then for each newline its line goes out with one 16-byte store
/// when it is short, followed by one store of the prefix. The only branches
/// the data decides are "another newline in this window" and "short line".
pub fn indent_into(out: &mut Vec<u8>, prefix: &str, block: &str) {
    // Room past the end for whole-vector stores: a line's store may run 15
    // bytes past what is counted, a prefix store 16 - prefix.len().
    const SLACK: usize = 16;
    let bytes = block.as_bytes();
    let prefix = prefix.as_bytes();
    // Room for the most lines `bytes` can hold (every byte a newline), so the
    // newlines are not counted first: a caller's buffer keeps this capacity.
    let most = bytes.len() + 1 + (bytes.len() + 1) * prefix.len();
    out.reserve(most + SLACK);
    // A prefix of up to 16 bytes is written as one 16-byte store (the bytes past
    // it are overwritten by what follows, or lie in the slack).
    let short = prefix.len() <= 16;
    let mut pad = [0u8; 16];
    if short {
        pad[..prefix.len()].copy_from_slice(prefix);
    }
    let base = out.len();
    // SAFETY: `reserve` made room for `most + SLACK` bytes after `base`. The
    // bytes counted (`dst`) are the prefix before each line, every byte of
    // `bytes` and the final newline: at most `most`. Every store starts at
    // `dst` (never past the counted bytes) and ends at most 16 bytes further.
    // Reads are from `bytes[..len]` only: a 16-byte load of a line only when
    // 16 bytes remain from its start, 64-byte windows only while 64 remain.
    unsafe {
        let put_prefix = |dst: *mut u8| {
            if short {
                std::ptr::write_unaligned(dst as *mut [u8; 16], pad);
            } else {
                std::ptr::copy_nonoverlapping(prefix.as_ptr(), dst, prefix.len());
            }
            dst.add(prefix.len())
        };
        let start = out.as_mut_ptr().add(base);
        let src = bytes.as_ptr();
        let len = bytes.len();
        // Copies bytes[from..=nl] (a line and its newline) to `dst`.
        let put_line = |dst: *mut u8, from: usize, nl: usize| {
            let n = nl + 1 - from;
            if n <= 16 && from + 16 <= len {
                let v = std::ptr::read_unaligned(src.add(from) as *const u128);
                std::ptr::write_unaligned(dst as *mut u128, v);
            } else {
                copy_long(src.add(from), dst, n);
            }
            dst.add(n)
        };
        let mut dst = put_prefix(start);
        let mut from = 0; // where the line not yet written starts
        let mut i = 0;
        while i + 64 <= len {
            let mut mask = newline_mask64(src.add(i));
            while mask != 0 {
                let nl = i + mask.trailing_zeros() as usize;
                dst = put_prefix(put_line(dst, from, nl));
                from = nl + 1;
                mask &= mask - 1;
            }
            i += 64;
        }
        for nl in memchr::memchr_iter(b'\n', &bytes[i..]) {
            let nl = i + nl;
            dst = put_prefix(put_line(dst, from, nl));
            from = nl + 1;
        }
        std::ptr::copy_nonoverlapping(src.add(from), dst, len - from);
        dst = dst.add(len - from);
        *dst = b'\n';
        dst = dst.add(1);
        let written = dst.offset_from(start) as usize;
        debug_assert!(written <= most);
        out.set_len(base + written);
    }
}

/// A long line's copy, out of line: inlined, LLVM merges it with the short
/// lines' 16-byte copy into one `memcpy` call per line, which costs more
/// than the rest of the loop.
///
/// # Safety
/// As `copy_nonoverlapping`.
#[cold]
#[inline(never)]
unsafe fn copy_long(src: *const u8, dst: *mut u8, n: usize) {
    std::ptr::copy_nonoverlapping(src, dst, n);
}

/// Bit k set when byte k of the 64 at `p` is a newline.
///
/// # Safety
/// `p` must be readable for 64 bytes.
#[cfg(target_arch = "x86_64")]
unsafe fn newline_mask64(p: *const u8) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    // SSE2 is part of every x86_64 CPU: no detection needed.
    let nl = _mm_set1_epi8(b'\n' as i8);
    let part = |k: usize| {
        let v = _mm_loadu_si128(p.add(16 * k) as *const __m128i);
        _mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) as u16 as u64
    };
    part(0) | part(1) << 16 | part(2) << 32 | part(3) << 48
}

/// Bit k set when byte k of the 64 at `p` is a newline.
///
/// # Safety
/// `p` must be readable for 64 bytes.
#[cfg(not(target_arch = "x86_64"))]
unsafe fn newline_mask64(p: *const u8) -> u64 {
    let window = std::slice::from_raw_parts(p, 64);
    window
        .iter()
        .enumerate()
        .fold(0, |m, (k, &b)| m | (u64::from(b == b'\n') << k))
}
