//! Drawing: one function per screen part, all reading `App` and nothing else.
//! Layout: a header line, the steps on the left, the current step on the right
//! (title, why, the command, the output, and a question, diff or failure box),
//! the keys at the bottom; help and "quit?" are overlays.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::app::{App, DiffView, Kind, Modal, Search};
use super::boxes::{
    draw_failure, draw_finished, draw_form, failure_lines, finished_lines, form_lines,
};
use super::output::clean;
use super::theme::Theme;
use crate::journey::StepState;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let [header, body, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(f, app, header);
    // The width the longest step name needs (mark, borders), up to a third.
    // (At least the legend's width: "✓ done  ↷ already done".)
    let need = app
        .steps
        .iter()
        .map(|s| width(&s.title) + 2)
        .max()
        .unwrap_or(0)
        .max(22)
        + 2;
    let left_w = (need as u16).clamp(20, (area.width / 3).max(20));
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(body);
    draw_steps(f, app, left);
    draw_step(f, app, right);
    draw_keys(f, &app.theme, keys, &key_hints(app));
    if app.help {
        draw_help(f, app, area);
    }
    if app.confirm_quit {
        draw_confirm_quit(f, app, area);
    }
}

fn draw_header(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let right = if app.steps.is_empty() {
        String::new()
    } else {
        format!("step {} of {} ", app.current + 1, app.steps.len())
    };
    let left = format!(" arcaflow-wizard · {}", app.journey);
    let pad = (area.width as usize).saturating_sub(width(&left) + width(&right));
    let line = Line::from(vec![
        Span::styled(left, t.bold().patch(t.accent())),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, t.dim()),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

pub fn mark(state: StepState) -> &'static str {
    match state {
        StepState::Done => "✓",
        StepState::Skipped => "↷",
        StepState::Declined => "⊘",
        StepState::LeftToYou => "→",
        StepState::Running => "▶",
        StepState::Failed => "✗",
        StepState::Waiting => "·",
    }
}

fn draw_steps(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let block = Block::bordered().title(" Steps ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    for (i, s) in app.steps.iter().enumerate() {
        let style = match s.state {
            StepState::Done | StepState::Skipped => t.ok(),
            StepState::Declined | StepState::LeftToYou => t.warn(),
            StepState::Running => t.accent().patch(t.bold()),
            StepState::Failed => t.bad().patch(t.bold()),
            StepState::Waiting => t.dim(),
        };
        let style = if i == app.current {
            style.patch(t.bold())
        } else {
            style
        };
        let text = truncate(&format!("{} {}", mark(s.state), s.title), w);
        lines.push(Line::styled(text, style));
    }
    // What the marks mean, when there is room for it.
    let legend = [
        "✓ done  ↷ already done",
        "⊘ skipped  → for you",
        "▶ running  ✗ failed",
        "· waiting",
    ];
    if (inner.height as usize) > lines.len() + legend.len() {
        let pad = inner.height as usize - lines.len() - legend.len();
        lines.extend(std::iter::repeat_n(Line::raw(""), pad));
        for l in legend {
            lines.push(Line::styled(truncate(l, w), t.dim()));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_step(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let block = Block::bordered();
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let step = app.steps.get(app.current);
    let mut top: Vec<Line> = Vec::new();
    if let Some(s) = step {
        top.push(Line::styled(
            truncate(&format!("{} {}", mark(s.state), s.title), w),
            t.bold(),
        ));
        let max_why = if inner.height >= 30 { 6 } else { 3 };
        let mut why = wrap(&s.why, w);
        if why.len() > max_why {
            why.truncate(max_why);
            let last = why.pop().unwrap_or_default();
            // `?` types into a text field: there only F1 opens the help.
            let more = match &app.modal {
                Modal::Ask(f) if !f.is_list() => "F1 for more",
                _ => "? for more",
            };
            let keep: String = last
                .chars()
                .take(w.saturating_sub(width(more) + 5))
                .collect();
            why.push(format!("{} … ({more})", keep.trim_end()));
        }
        top.extend(why.into_iter().map(|l| Line::styled(l, t.dim())));
    }
    if let Some(r) = &app.running {
        let el = r.started.elapsed();
        let spin = SPINNER[(el.as_millis() / 100) as usize % SPINNER.len()];
        let clock = format!(" {spin} {}", clock(el.as_secs()));
        let cmd = truncate(&r.summary, w.saturating_sub(width(&clock) + 2));
        top.push(Line::from(vec![
            Span::styled("▶ ", t.accent()),
            Span::styled(cmd, t.bold()),
            Span::styled(clock, t.accent()),
        ]));
    } else if let Some(l) = &app.last {
        let (m, st) = if l.ok {
            ("✓ ", t.ok())
        } else {
            ("✗ ", t.bad())
        };
        let secs = format!(" ({:.1} s)", l.elapsed.as_secs_f64());
        top.push(Line::from(vec![
            Span::styled(m, st),
            Span::raw(truncate(&l.summary, w.saturating_sub(width(&secs) + 2))),
            Span::styled(secs, t.dim()),
        ]));
    }
    if let Some(s) = &app.status {
        top.push(Line::styled(truncate(s, w), t.warn().patch(t.bold())));
    }
    let top_h = (top.len() as u16).min(inner.height);
    let [top_area, rest] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(inner);
    f.render_widget(Paragraph::new(top), top_area);

    if let Modal::Diff(d) = &app.modal {
        draw_diff(f, t, d, rest);
        return;
    }
    let (bottom, bottom_h) = bottom_box(app, rest.width, rest.height);
    let [out_area, bottom_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(bottom_h)]).areas(rest);
    draw_output(f, app, out_area);
    if let Some(draw) = bottom {
        draw(f, app, bottom_area);
    }
}

type BoxDraw = fn(&mut Frame, &App, Rect);

/// The box under the output (a question, a failure, the end) and its height.
fn bottom_box(app: &App, w: u16, h: u16) -> (Option<BoxDraw>, u16) {
    let inner_w = w.saturating_sub(2) as usize;
    let cap = h.saturating_sub(4).max(3);
    let (d, want): (BoxDraw, usize) = match &app.modal {
        Modal::Ask(form) => (
            draw_form,
            form_lines(form, inner_w, cap.saturating_sub(2) as usize).len(),
        ),
        // A failure's advice matters more than the output above it (whose
        // last lines stay): the box may take all but three rows.
        Modal::Failure(fv) => {
            let want = failure_lines(&app.theme, fv, inner_w, usize::MAX).len();
            let cap = h.saturating_sub(3).max(3);
            return (Some(draw_failure), ((want as u16) + 2).min(cap));
        }
        _ => match &app.finished {
            Some(_) => (draw_finished, finished_lines(app, inner_w).len()),
            None => return (None, 0),
        },
    };
    (Some(d), ((want as u16) + 2).min(cap))
}

fn draw_output(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    // The titles do not change the inner area: it is known before them.
    let inner = Block::bordered().inner(area);
    let w = inner.width as usize;
    let h = inner.height as usize;
    app.out_rows.set(h);
    let scroll = app.scroll.min(max_scroll(app, w, h));
    let mut block = Block::bordered().title(" Output ");
    if let Some(s) = &app.search {
        let text = if s.editing {
            format!(" /{}▏ Enter: find · Esc: cancel ", s.term)
        } else {
            let n = app.output.count_matching(&s.term, |l| s.matches(&clean(l)));
            format!(
                " /{} · {n} lines match · n: older  N: newer  Esc: end ",
                s.term
            )
        };
        block = block.title_bottom(Line::styled(text, t.key()));
    } else if scroll > 0 {
        block = block.title_bottom(format!(" ↑ {scroll} lines back · End: follow "));
    }
    f.render_widget(block, area);
    if w == 0 || h == 0 {
        return;
    }
    let mut rows: Vec<Line> = Vec::new();
    let newest = app.output.len().saturating_sub(1);
    for (k, (kind, raw)) in app.output.iter().rev().skip(scroll).enumerate() {
        let i = newest - scroll - k;
        let text = clean(raw);
        let style = match kind {
            Kind::Step => t.bold().patch(t.accent()),
            Kind::Command => t.bold(),
            Kind::Output => Style::default(),
            Kind::Note => t.warn(),
            Kind::Ok => t.ok(),
            Kind::Bad => t.bad(),
        };
        let wrapped = wrap(&format!("{}{text}", indent_of(kind)), w);
        let current = app.search.as_ref().and_then(|s| s.current) == Some(i);
        for r in wrapped.into_iter().rev() {
            let line = match &app.search {
                Some(s) if !s.editing && s.matches(&text) => highlight(t, s, &r, style, current),
                _ => Line::styled(r, style),
            };
            rows.push(line);
            if rows.len() >= h {
                break;
            }
        }
        if rows.len() >= h {
            break;
        }
    }
    if rows.is_empty() {
        rows.push(Line::styled(
            "(the commands of this step and their output appear here)",
            t.dim(),
        ));
    }
    rows.reverse();
    f.render_widget(Paragraph::new(rows), inner);
}

/// The furthest back the pane scrolls and is still full: the page that starts
/// at the oldest line. Past it the pane showed blanks (Home, or PgUp after the
/// window grew). Kept for the keys, which clamp to it.
fn max_scroll(app: &App, w: usize, h: usize) -> usize {
    let mut oldest_rows = 0;
    let mut oldest_lines = 0;
    for (kind, raw) in app.output.iter() {
        if oldest_rows >= h {
            break;
        }
        oldest_rows += wrap(&format!("{}{}", indent_of(kind), clean(raw)), w).len();
        oldest_lines += 1;
    }
    let max = if oldest_rows >= h && h > 0 {
        app.output.len() - oldest_lines
    } else {
        0
    };
    app.out_max_scroll.set(max);
    max
}

/// Command output sits under its command, indented.
fn indent_of(kind: Kind) -> &'static str {
    if kind == Kind::Output {
        "  "
    } else {
        ""
    }
}

/// A row with the search term marked: reversed on the current match, underlined
/// elsewhere (no colour needed to see either); the current match also gets "»".
fn highlight(t: &Theme, s: &Search, row: &str, style: Style, current: bool) -> Line<'static> {
    let mark = if current {
        t.selected()
    } else {
        t.bold()
            .patch(Style::default().add_modifier(ratatui::style::Modifier::UNDERLINED))
    };
    let lower: Vec<char> = row.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<char> = row.chars().collect();
    let term: Vec<char> = s.term.chars().flat_map(char::to_lowercase).collect();
    let mut spans = Vec::new();
    if current {
        spans.push(Span::styled("» ", t.selected()));
    }
    // Lowercasing kept one char per char (else mark the whole row).
    if lower.len() != chars.len() || term.is_empty() {
        spans.push(Span::styled(row.to_string(), style.patch(mark)));
        return Line::from(spans);
    }
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        if lower[i..].starts_with(&term) {
            if !plain.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut plain), style));
            }
            let hit: String = chars[i..i + term.len()].iter().collect();
            spans.push(Span::styled(hit, style.patch(mark)));
            i += term.len();
        } else {
            plain.push(chars[i]);
            i += 1;
        }
    }
    if !plain.is_empty() {
        spans.push(Span::styled(plain, style));
    }
    Line::from(spans)
}

fn draw_diff(f: &mut Frame, t: &Theme, d: &DiffView, area: Rect) {
    let path = std::env::current_dir()
        .ok()
        .and_then(|c| d.path.strip_prefix(c).ok().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| d.path.clone());
    let title = if !d.change.also.is_empty() {
        // One change to several files (the version bump): name them all.
        let names: Vec<String> = d
            .change
            .also
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        format!(" Change: {} and {} ", path.display(), names.join(" and "))
    } else if d.change.new {
        format!(" New file: {} ", path.display())
    } else if d.change.replaces_users_file {
        format!(" Your file would change: {} ", path.display())
    } else {
        format!(" Change: {} ", path.display())
    };
    let block = Block::bordered()
        .title(title)
        .border_style(if d.change.replaces_users_file {
            t.warn()
        } else {
            t.accent()
        });
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let h = (inner.height as usize).saturating_sub(1);
    let body: Vec<&str> = d
        .change
        .diff
        .lines()
        .filter(|l| {
            !(d.change.new && (l.starts_with("---") || l.starts_with("+++") || l.starts_with("@@")))
        })
        .collect();
    let max_scroll = body.len().saturating_sub(h);
    let scroll = d.scroll.min(max_scroll);
    let mut lines: Vec<Line> = body
        .iter()
        .skip(scroll)
        .take(h)
        .map(|l| {
            let style = if l.starts_with("+++") || l.starts_with("---") {
                t.bold()
            } else if l.starts_with('+') {
                t.ok()
            } else if l.starts_with('-') {
                t.bad()
            } else if l.starts_with("@@") {
                t.accent()
            } else {
                Style::default()
            };
            Line::styled(truncate(&clean_tabs(l), w), style)
        })
        .collect();
    lines.resize(h, Line::raw(""));
    let more = if scroll < max_scroll {
        format!(" ↓ {} more lines", max_scroll - scroll)
    } else {
        String::new()
    };
    let q = if d.change.replaces_users_file {
        "Replace your file? y yes · n no (default)"
    } else {
        "Write it? y yes (default) · n no"
    };
    lines.push(Line::from(vec![
        Span::styled(q, t.bold()),
        Span::styled(more, t.dim()),
    ]));
    f.render_widget(Paragraph::new(lines), inner);
}

fn key_hints(app: &App) -> Vec<(&'static str, &'static str)> {
    if app.confirm_quit {
        return vec![("y", "quit"), ("n/Esc", "stay")];
    }
    if app.help {
        return vec![("Esc/?", "close help")];
    }
    if app.export.is_some() {
        return vec![("Enter", "save"), ("Esc", "cancel")];
    }
    if app.search.as_ref().is_some_and(|s| s.editing) {
        return vec![("Enter", "find"), ("Esc", "cancel search")];
    }
    if app.search.is_some() && (app.finished.is_some() || matches!(app.modal, Modal::None)) {
        return vec![
            ("n", "older match"),
            ("N", "newer match"),
            ("/", "new search"),
            ("Esc", "end search"),
        ];
    }
    if app.finished.is_some() {
        return vec![
            ("Enter", "leave"),
            ("e", "export script"),
            ("↑↓", "scroll"),
            ("/", "search"),
        ];
    }
    match &app.modal {
        Modal::Ask(f) if f.is_list() => vec![
            ("↑↓", "choose"),
            ("Enter", "accept"),
            ("?", "help"),
            ("q", "quit"),
        ],
        Modal::Ask(_) => vec![
            ("Enter", "accept"),
            ("Esc", "quit"),
            ("F1", "help"),
            ("PgUp/PgDn", "output"),
        ],
        Modal::Diff(_) => vec![
            ("y", "write"),
            ("n", "keep"),
            ("a", "all new files"),
            ("↑↓", "scroll"),
            ("q", "quit"),
        ],
        Modal::Failure(fv) if fv.failure.fix.is_some() => vec![
            ("f", "fix"),
            ("r", "retry"),
            ("s", "skip"),
            ("q", "quit"),
            ("?", "help"),
        ],
        Modal::Failure(_) => vec![("r", "retry"), ("s", "skip"), ("q", "quit"), ("?", "help")],
        Modal::None if app.running.is_some() => vec![
            ("Ctrl-C", "cancel"),
            ("↑↓ PgUp/PgDn", "scroll"),
            ("/", "search"),
            ("?", "help"),
            ("q", "quit"),
        ],
        Modal::None => vec![
            ("↑↓ PgUp/PgDn", "scroll"),
            ("/", "search"),
            ("?", "help"),
            ("q", "quit"),
        ],
    }
}

pub fn draw_keys(f: &mut Frame, t: &Theme, area: Rect, keys: &[(&str, &str)]) {
    let mut spans = vec![Span::raw(" ")];
    for (k, label) in keys {
        spans.push(Span::styled(k.to_string(), t.key()));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let r = centered(
        area,
        area.width.saturating_sub(6).min(90),
        area.height.saturating_sub(2),
    );
    let step = app.steps.get(app.current);
    let title = format!(
        " Help: {} ",
        step.map(|s| s.title.as_str()).unwrap_or("arcaflow-wizard")
    );
    let block = Block::bordered().title(title).border_style(t.accent());
    let inner = block.inner(r);
    f.render_widget(Clear, r);
    f.render_widget(block, r);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(s) = step {
        lines.extend(wrap(&s.why, w).into_iter().map(Line::raw));
        if !s.detail.is_empty() {
            lines.push(Line::raw(""));
            lines.extend(
                wrap(&s.detail, w)
                    .into_iter()
                    .map(|l| Line::styled(l, t.dim())),
            );
        }
        lines.push(Line::raw(""));
    }
    for (k, what) in [
        ("Enter", "accept the answer or the highlighted choice"),
        ("↑↓ 1-9", "move in a list of choices"),
        ("y / n", "write the file / keep yours, in the diff view"),
        ("f r s q", "after a failure: fix, retry, skip, quit"),
        ("PgUp/PgDn", "scroll the output back; End follows the tail"),
        (
            "↑↓ wheel",
            "scroll the output by a line where no list uses them",
        ),
        (
            "/ n N",
            "search the output; n older, N newer match; Esc ends",
        ),
        ("e", "at the end: save what ran as a shell script"),
        ("Ctrl-C", "cancel the running command; twice: quit"),
        (
            "q / Esc",
            "quit (finished steps are kept; run again to resume)",
        ),
        ("? / F1", "this help"),
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!("{k:<10}"), t.key()),
            Span::raw(truncate(what, w.saturating_sub(10))),
        ]));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_confirm_quit(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let r = centered(area, 60, 6);
    let block = Block::bordered().title(" Quit? ").border_style(t.warn());
    let inner = block.inner(r);
    f.render_widget(Clear, r);
    f.render_widget(block, r);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = wrap(
        "Quit now? Finished steps are kept: run the same command again to continue.",
        w,
    )
    .into_iter()
    .map(Line::raw)
    .collect();
    lines.push(Line::from(vec![
        Span::styled("y", t.key()),
        Span::raw(" quit   "),
        Span::styled("n", t.key()),
        Span::raw(" stay"),
    ]));
    f.render_widget(Paragraph::new(lines), inner);
}

// One wrap for every front end and the scripts: widths in terminal columns.
pub use crate::text::{truncate, width, wrap};

fn clean_tabs(s: &str) -> String {
    s.replace('\t', "    ")
}

fn clock(secs: u64) -> String {
    if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}
