//! The C library calls: signals, process groups, the effective user, access(2),
//! terminal attributes and the process's environment block. Each is a safe
//! function here; its SAFETY comment says why the call is sound.

use std::path::Path;

/// Restore the default action of SIGPIPE (Rust ignores it), so a write to a
/// closed pipe ends the process quietly instead of panicking.
pub fn default_sigpipe() {
    // SAFETY: signal() with a valid signal number and SIG_DFL, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Send `signal` to the process group `pgid`; whether the group exists
/// (signal 0 only checks that).
pub fn killpg(pgid: i32, signal: i32) -> bool {
    // SAFETY: killpg only sends a signal; callers pass a group they created.
    unsafe { libc::killpg(pgid, signal) == 0 }
}

/// Send `signal` to the process `pid`; whether it was sent.
pub fn kill(pid: i32, signal: i32) -> bool {
    // SAFETY: kill only sends a signal.
    unsafe { libc::kill(pid, signal) == 0 }
}

/// A new pipe: its read end and its write end.
pub fn pipe() -> std::io::Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: pipe() fills two new descriptors, each owned once here.
    unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok((
            std::os::fd::OwnedFd::from_raw_fd(fds[0]),
            std::os::fd::OwnedFd::from_raw_fd(fds[1]),
        ))
    }
}

/// This process's resource use, its children's left out (for the benchmarks).
pub fn rusage_self() -> libc::rusage {
    // SAFETY: getrusage fills the zeroed struct it is given.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &raw mut ru);
        ru
    }
}

/// The effective user id.
pub fn geteuid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Whether this user may create entries in `dir` (write and search), as access(2) says.
pub fn can_write_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: a NUL-terminated path; access(2) only reads it.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The terminal settings of standard input, to put back.
pub struct Termios(libc::termios);

impl Termios {
    /// Standard input's settings; None when it is no terminal.
    pub fn of_stdin() -> Option<Self> {
        // SAFETY: tcgetattr fills in the zeroed struct, or fails on a non-terminal.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            (libc::tcgetattr(0, &raw mut t) == 0).then_some(Termios(t))
        }
    }
    /// Put these settings back on standard input.
    pub fn restore(&self) {
        // SAFETY: sets attributes read by tcgetattr on the same descriptor.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &raw const self.0);
        }
    }
    /// Terminal echo off while a secret is typed, until the guard is dropped.
    pub fn echo_off() -> Option<EchoOff> {
        let saved = Self::of_stdin()?;
        let mut t = saved.0;
        t.c_lflag &= !libc::ECHO;
        // SAFETY: attributes read by tcgetattr, one flag cleared, on the same descriptor.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &raw const t);
        }
        Some(EchoOff(saved))
    }
}

/// Echo is off while this lives; dropping it restores the settings it saved.
pub struct EchoOff(Termios);

impl Drop for EchoOff {
    fn drop(&mut self) {
        self.0.restore();
    }
}

/// Overwrite the value of `key` in the process's original environment block with
/// NULs. `remove_var` only unlinks the entry: the bytes stay where the kernel put
/// them, readable in /proc/PID/environ of the wizard and of every child between
/// fork and exec.
pub fn scrub_env_value(key: &str) {
    extern "C" {
        static mut environ: *mut *mut libc::c_char;
    }
    let prefix = format!("{key}=");
    // SAFETY: called before any thread starts; each entry is a NUL-terminated
    // string owned by the process (the initial block or setenv's copies), and
    // only bytes before its terminator are written.
    unsafe {
        let mut p = environ;
        if p.is_null() {
            return;
        }
        while !(*p).is_null() {
            let entry = *p;
            let len = libc::strlen(entry);
            let bytes = std::slice::from_raw_parts_mut(entry.cast::<u8>(), len);
            if bytes.starts_with(prefix.as_bytes()) {
                for b in &mut bytes[prefix.len()..] {
                    *b = 0;
                }
            }
            p = p.add(1);
        }
    }
}
