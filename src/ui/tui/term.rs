//! The terminal while the wizard owns it: raw mode and the alternate screen,
//! always given back, on drop and on panic; and the one thread that reads keys.
//!
//! The mouse wheel: the wizard does not capture the mouse (that would take
//! text selection away from the user). It turns on xterm's "alternate scroll
//! mode" (`CSI ? 1007 h`) instead: in the alternate screen, xterm, VTE
//! terminals (GNOME Terminal, Tilix...), kitty and iTerm2 send the wheel as
//! Up/Down keys, which scroll the output pane wherever no list uses them.
//! Selecting text with the mouse keeps working as in any program.

use std::io::{stdout, BufWriter, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Mutex, Once};

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event as CtEvent, KeyEventKind};
use ratatui::crossterm::style::Print;
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::Terminal;

use super::app::Msg;

/// Alternate scroll mode on and off (DEC private mode 1007).
const ALT_SCROLL_ON: &str = "\x1b[?1007h";
const ALT_SCROLL_OFF: &str = "\x1b[?1007l";

/// Raw mode and the alternate screen are on.
static ACTIVE: AtomicBool = AtomicBool::new(false);

pub(crate) struct Term {
    /// Buffered: a frame goes out in one write, not in Stdout's 1 KiB pieces
    /// (ratatui flushes the backend after every frame).
    pub terminal: Terminal<CrosstermBackend<BufWriter<Stdout>>>,
}

impl Term {
    pub(crate) fn enter() -> std::io::Result<Self> {
        install_panic_hook();
        // Before raw mode, so that the settings a signal gives back are the user's.
        crate::ui::plain::stop_on_signals();
        ACTIVE.store(true, Ordering::SeqCst);
        let res = (|| {
            terminal::enable_raw_mode()?;
            // Not Terminal::clear: it asks the terminal where the cursor is, and a
            // terminal that does not answer would stop the wizard here.
            execute!(
                stdout(),
                terminal::EnterAlternateScreen,
                Print(ALT_SCROLL_ON),
                cursor::Hide,
                terminal::Clear(terminal::ClearType::All)
            )?;
            Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
                64 * 1024,
                stdout(),
            )))
        })();
        match res {
            Ok(terminal) => Ok(Term { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Term {
    /// Draws a frame, unless the terminal was given back meanwhile (a panic on
    /// another thread): a frame must not land on the user's own screen, over
    /// the panic's report.
    pub(crate) fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame)) -> std::io::Result<()> {
        let _drawing = DRAWING.lock().unwrap_or_else(|e| e.into_inner());
        if !ACTIVE.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.terminal.draw(render).map(|_| ())
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        restore();
    }
}

/// Held while a frame is drawn and while the terminal is given back.
static DRAWING: Mutex<()> = Mutex::new(());

/// Leave raw mode and the alternate screen, show the cursor (once; harmless twice).
pub(crate) fn restore() {
    let _drawing = DRAWING.lock().unwrap_or_else(|e| e.into_inner());
    restore_now();
}

/// The terminal given back before the process exits on a signal (the drops
/// that would do it do not run); a no-op when the full-screen view is not on.
pub(crate) fn give_back() {
    restore_from_panic();
}

/// `restore` for the panic hook: the panicking thread may be the one drawing,
/// holding the lock, so wait for it only briefly.
fn restore_from_panic() {
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(200);
    let _drawing = loop {
        match DRAWING.try_lock() {
            Ok(g) => break Some(g),
            Err(std::sync::TryLockError::Poisoned(p)) => break Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            Err(std::sync::TryLockError::WouldBlock) => break None,
        }
    };
    restore_now();
}

fn restore_now() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = terminal::disable_raw_mode();
        let _ = execute!(
            stdout(),
            Print(ALT_SCROLL_OFF),
            terminal::LeaveAlternateScreen,
            cursor::Show
        );
    }
}

fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Give the terminal back first, so the report is readable.
            restore_from_panic();
            previous(info);
        }));
    });
}

/// Where key events go now (the menu, then a journey); None: dropped.
static KEYS: Mutex<Option<Sender<Msg>>> = Mutex::new(None);

/// Send keys and resizes to `tx` until `detach`. One reader thread for the whole
/// process, blocked in `event::read` (no polling): a second reader would steal keys.
pub(crate) fn attach(tx: Sender<Msg>) {
    static READER: Once = Once::new();
    *KEYS.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
    READER.call_once(|| {
        std::thread::spawn(|| loop {
            let msg = match event::read() {
                Ok(CtEvent::Key(k)) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Ok(CtEvent::Resize(..)) => Msg::Resize,
                Ok(_) => continue,
                Err(_) => return,
            };
            if let Some(tx) = KEYS.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                let _ = tx.send(msg);
            }
        });
    });
}

pub(crate) fn detach() {
    *KEYS.lock().unwrap_or_else(|e| e.into_inner()) = None;
}
