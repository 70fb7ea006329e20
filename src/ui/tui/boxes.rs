//! The boxes under the output: a question, a failure and its choices, the
//! end of the journey (with the export field).

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::app::{App, FailureView, Form, Modal};
use super::theme::Theme;
use super::view::{truncate, width, wrap};
use crate::journey::driver::Outcome;
use crate::journey::QuestionKind;

/// The rows of a question box with `rows` inner rows at most; the field row of a
/// text question is a placeholder the text area covers.
pub(super) fn form_lines(form: &Form, w: usize, rows: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = wrap(&form.q.prompt, w).into_iter().map(Line::raw).collect();
    if form.is_list() {
        let opts = form.options();
        let room = rows.saturating_sub(lines.len() + 1).max(1);
        let start = form.selected.saturating_sub(room.saturating_sub(1));
        for (i, (_, label)) in opts.iter().enumerate().skip(start).take(room) {
            let text = if form.q.kind == QuestionKind::YesNo {
                format!("{} {label}", if i == form.selected { "›" } else { " " })
            } else {
                format!(
                    "{} {}) {label}",
                    if i == form.selected { "›" } else { " " },
                    i + 1
                )
            };
            lines.push(Line::raw(truncate(&text, w)));
        }
    } else {
        lines.push(Line::raw("›"));
    }
    match form.verdict() {
        Some(Err(e)) => lines.extend(wrap(&format!("✗ {e}"), w).into_iter().map(Line::raw)),
        Some(Ok(v)) => {
            let typed = form.value();
            let shown = if form.q.kind == QuestionKind::Secret {
                "✓ ok".to_string()
            } else if let Some(r) = form.q.resolved(&typed) {
                format!("✓ {} -> {r}", typed.trim())
            } else if v == typed.trim() {
                "✓ ok".to_string()
            } else {
                format!("✓ ok: {v}")
            };
            lines.push(Line::raw(truncate(&shown, w)));
        }
        // A row kept for the verdict, so the box does not jump as the user types.
        None => lines.push(Line::raw("")),
    }
    lines
}

pub(super) fn draw_form(f: &mut Frame, app: &App, area: Rect) {
    let Modal::Ask(form) = &app.modal else {
        return;
    };
    let t = &app.theme;
    let title = match form.q.kind {
        QuestionKind::Secret => " Question · hidden as you type ",
        _ => " Question ",
    };
    let block = Block::bordered().title(title).border_style(t.accent());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let plain = form_lines(form, w, inner.height as usize);
    let prompt_n = wrap(&form.q.prompt, w).len();
    let mut lines: Vec<Line> = Vec::new();
    for (i, l) in plain.into_iter().enumerate() {
        let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        let style = if i < prompt_n {
            t.bold()
        } else if text.starts_with('✗') {
            t.bad()
        } else if text.starts_with("✓") {
            t.ok()
        } else if text.starts_with('›') && form.is_list() {
            t.selected()
        } else {
            Style::default()
        };
        lines.push(Line::styled(text, style));
    }
    f.render_widget(Paragraph::new(lines), inner);
    if !form.is_list() && inner.height as usize > prompt_n && inner.width > 3 {
        let field = Rect {
            x: inner.x + 2,
            y: inner.y + prompt_n as u16,
            width: inner.width - 2,
            height: 1,
        };
        f.render_widget(&form.input, field);
    }
}

/// The failure box's rows, fitted into `rows`: when the advice and the
/// choices do not fit, the choices go on one line; then the advice is cut.
pub(super) fn failure_lines(
    t: &Theme,
    fv: &FailureView,
    w: usize,
    rows: usize,
) -> Vec<Line<'static>> {
    let f = &fv.failure;
    let mut lines: Vec<Line> = wrap(&format!("✗ {}", f.message), w)
        .into_iter()
        .map(|l| Line::styled(l, t.bad().patch(t.bold())))
        .collect();
    let mut hint = f.hint.as_deref().map(|h| wrap(h, w)).unwrap_or_default();
    let mut fixes: Vec<Line> = Vec::new();
    if let Some(fix) = &f.fix {
        for a in fix.actions.iter().take(3) {
            fixes.push(Line::styled(
                truncate(&format!("fix: {}", a.summary()), w),
                t.accent(),
            ));
        }
    }
    let choices = fv.choices();
    let full = lines.len() + hint.len() + fixes.len() + choices.len();
    let mut rows_of_choices: Vec<Line> = Vec::new();
    if full <= rows {
        for (i, (_, key, label)) in choices.into_iter().enumerate() {
            let sel = i == fv.selected;
            let text = truncate(
                &format!("{} [{key}] {label}", if sel { "›" } else { " " }),
                w,
            );
            rows_of_choices.push(Line::styled(
                text,
                if sel { t.selected() } else { Style::default() },
            ));
        }
    } else {
        let mut spans: Vec<Span> = Vec::new();
        let mut n = 0;
        for (i, (_, key, label)) in choices.into_iter().enumerate() {
            let word = match key {
                'f' => "fix",
                'r' => "retry",
                's' => "skip",
                'q' => "quit",
                _ => match crate::ui::again::again_choice(f) {
                    Some(again) if again.key == key => again.word,
                    _ => label.split(' ').next().unwrap_or(label),
                },
            };
            let text = format!("[{key}] {word}");
            if n > 0 && n + 2 + width(&text) > w {
                rows_of_choices.push(Line::from(std::mem::take(&mut spans)));
                n = 0;
            }
            if n > 0 {
                spans.push(Span::raw("  "));
                n += 2;
            }
            n += width(&text);
            let sel = i == fv.selected;
            spans.push(Span::styled(
                text,
                if sel { t.selected() } else { Style::default() },
            ));
        }
        rows_of_choices.push(Line::from(spans));
        // Still too many: the advice's last lines go first.
        let others = lines.len() + fixes.len() + rows_of_choices.len();
        hint.truncate(rows.saturating_sub(others).max(1).min(hint.len()));
    }
    lines.extend(hint.into_iter().map(Line::raw));
    lines.extend(fixes);
    lines.extend(rows_of_choices);
    lines
}

pub(super) fn draw_failure(f: &mut Frame, app: &App, area: Rect) {
    let Modal::Failure(fv) = &app.modal else {
        return;
    };
    let t = &app.theme;
    let block = Block::bordered()
        .title(format!(" {} failed ", fv.title))
        .border_style(t.bad());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = failure_lines(t, fv, inner.width as usize, inner.height as usize);
    f.render_widget(Paragraph::new(lines), inner);
}

pub(super) fn finished_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(o) = &app.finished else {
        return Vec::new();
    };
    let (text, style) = match o {
        Outcome::Done => ("✓ Done. Press Enter to leave.".to_string(), t.ok()),
        Outcome::Quit => (
            "Stopped. Run the same command again to continue. Press Enter to leave.".into(),
            t.warn(),
        ),
        Outcome::Failed(f) => (
            format!(
                "✗ Stopped: {}. Fix it and run the same command again: finished steps are skipped. Press Enter to leave.",
                f.message.trim_end_matches('.')
            ),
            t.bad(),
        ),
    };
    let mut lines: Vec<Line> = wrap(&text, w)
        .into_iter()
        .map(|l| Line::styled(l, style.patch(t.bold())))
        .collect();
    if let (Outcome::Done, Some(note)) = (o, &app.done_note) {
        for para in note.lines() {
            lines.extend(wrap(para, w).into_iter().map(Line::raw));
        }
    }
    if app.export.is_some() {
        match &app.export_replaces {
            Some(p) => lines.extend(
                wrap(
                    &format!(
                        "{} exists. Enter: replace it · edit the path to keep it · Esc: cancel",
                        p.display()
                    ),
                    w,
                )
                .into_iter()
                .map(|l| Line::styled(l, t.warn())),
            ),
            None => lines.push(Line::raw(
                "Save the session script to (Enter: save, Esc: cancel):",
            )),
        }
        // The field row; the text area covers it.
        lines.push(Line::raw("›"));
    } else {
        match &app.exported {
            Some(Ok(p)) => lines.extend(
                wrap(
                    &format!("✓ Saved what ran as a shell script: {}", p.display()),
                    w,
                )
                .into_iter()
                .map(|l| Line::styled(l, t.ok())),
            ),
            Some(Err(e)) => lines.extend(
                wrap(&format!("✗ {e}"), w)
                    .into_iter()
                    .map(|l| Line::styled(l, t.bad())),
            ),
            None => {}
        }
        lines.extend(
            wrap(
                "e: save what ran as a shell script (commands and files, never a secret)",
                w,
            )
            .into_iter()
            .map(|l| Line::styled(l, t.dim())),
        );
    }
    lines
}

pub(super) fn draw_finished(f: &mut Frame, app: &App, area: Rect) {
    if app.finished.is_none() {
        return;
    }
    let block = Block::bordered().title(" Finished ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = finished_lines(app, inner.width as usize);
    let n = lines.len();
    // Keep the last rows (the export field) when the box is short.
    let skip = n.saturating_sub(inner.height as usize);
    f.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        inner,
    );
    if let Some(field) = &app.export {
        let row = (n - skip).saturating_sub(1) as u16;
        if row < inner.height && inner.width > 3 {
            let r = Rect {
                x: inner.x + 2,
                y: inner.y + row,
                width: inner.width - 2,
                height: 1,
            };
            f.render_widget(field, r);
        }
    }
}
