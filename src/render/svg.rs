//! Charts as SVG strings, written at build time: labelled (`title`, `desc`),
//! with every value also printed as text so nothing depends on colour, and
//! always shown next to a table with the same data.

use super::escape;
use std::fmt::Write as _;

fn open(out: &mut String, id: &str, w: f64, h: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    );
}

/// A module × module heat map; `marked` cells (declared pairs) get a frame.
pub fn heatmap(
    id: &str,
    title: &str,
    desc: &str,
    rows: &[String],
    cols: &[String],
    cells: &[Vec<f64>],
    marked: &[(usize, usize)],
) -> String {
    let (cw, ch, lw, th) = (58.0, 30.0, 110.0, 34.0);
    let w = lw + cw * cols.len() as f64 + 4.0;
    let h = th + ch * rows.len() as f64 + 4.0;
    let mut s = String::new();
    open(&mut s, id, w, h, title, desc);
    for (j, c) in cols.iter().enumerate() {
        let x = lw + cw * j as f64 + cw / 2.0;
        let _ = write!(s, "<text x=\"{x}\" y=\"22\" text-anchor=\"middle\" class=\"axis\">{}</text>", escape(c));
    }
    for (i, r) in rows.iter().enumerate() {
        let y = th + ch * i as f64;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"axis\">{}</text>",
            lw - 8.0,
            y + ch / 2.0 + 5.0,
            escape(r)
        );
        for (j, v) in cells[i].iter().enumerate() {
            let x = lw + cw * j as f64;
            let dark = *v >= 0.5;
            let _ = write!(
                s,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{cw}\" height=\"{ch}\" class=\"cell\" fill-opacity=\"{:.2}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"{}\">{:.0}</text>",
                0.08 + 0.92 * v.clamp(0.0, 1.0),
                x + cw / 2.0,
                y + ch / 2.0 + 5.0,
                if dark { "val on-dark" } else { "val" },
                v * 100.0
            );
            if marked.contains(&(i, j)) {
                let _ = write!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"mark\"/>",
                    x + 1.5,
                    y + 1.5,
                    cw - 3.0,
                    ch - 3.0
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// Left modules → right modules, one line per declared pair link.
pub fn alignment(
    id: &str,
    title: &str,
    desc: &str,
    left: &[String],
    right: &[String],
    links: &[(usize, usize)],
) -> String {
    let (bw, bh, gap, w) = (170.0, 30.0, 10.0, 560.0);
    let n = left.len().max(right.len()) as f64;
    let h = 10.0 + n * (bh + gap);
    let mut s = String::new();
    open(&mut s, id, w, h, title, desc);
    let y = |i: usize| 10.0 + i as f64 * (bh + gap);
    for &(i, j) in links {
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"link\"/>",
            bw,
            y(i) + bh / 2.0,
            w - bw,
            y(j) + bh / 2.0
        );
    }
    for (col, labels, x) in [(0, left, 0.0), (1, right, w - bw)] {
        for (i, l) in labels.iter().enumerate() {
            let _ = write!(
                s,
                "<rect x=\"{x}\" y=\"{}\" width=\"{bw}\" height=\"{bh}\" rx=\"4\" class=\"box side{col}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"label\">{}</text>",
                y(i),
                x + bw / 2.0,
                y(i) + bh / 2.0 + 5.0,
                escape(l)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// One segment of a bar: label, count and CSS class.
pub type Segment = (String, usize, &'static str);
/// One bar: its label and segments.
pub type Bar = (String, Vec<Segment>);

/// Horizontal stacked bars: one row per group, segments (label, count, class).
pub fn stacked_bars(id: &str, title: &str, desc: &str, rows: &[Bar]) -> String {
    let (lw, bw, bh, gap) = (200.0, 400.0, 26.0, 10.0);
    let max = rows.iter().map(|(_, segs)| segs.iter().map(|x| x.1).sum::<usize>()).max().unwrap_or(1).max(1) as f64;
    let h = 10.0 + rows.len() as f64 * (bh + gap);
    let mut s = String::new();
    open(&mut s, id, lw + bw + 60.0, h, title, desc);
    for (i, (label, segs)) in rows.iter().enumerate() {
        let y = 10.0 + i as f64 * (bh + gap);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"axis\">{}</text>",
            lw - 8.0,
            y + bh / 2.0 + 5.0,
            escape(label)
        );
        let mut x = lw;
        for (name, n, class) in segs {
            if *n == 0 {
                continue;
            }
            let wseg = bw * *n as f64 / max;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{wseg:.1}\" height=\"{bh}\" class=\"seg {class}\"><title>{}: {n}</title></rect>",
                escape(name)
            );
            if wseg >= 18.0 {
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" class=\"val on-seg\">{n}</text>",
                    x + wseg / 2.0,
                    y + bh / 2.0 + 5.0
                );
            }
            x += wseg;
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_labelled_and_escaped() {
        let h = heatmap("hm", "Ähnlichkeit <M>", "desc", &["m1".into()], &["m2".into()], &[vec![0.5]], &[(0, 0)]);
        assert!(h.contains("<title id=\"hm-t\">Ähnlichkeit &lt;M&gt;</title>"));
        assert!(h.contains("aria-labelledby=\"hm-t hm-d\""));
        assert!(h.contains(">50</text>"), "values are printed");
        assert!(h.contains("class=\"mark\""));
        let a = alignment("al", "t", "d", &["A".into(), "B".into()], &["C".into()], &[(0, 0), (1, 0)]);
        assert_eq!(a.matches("<line").count(), 2);
        let b = stacked_bars(
            "b",
            "t",
            "d",
            &[("Wissen".into(), vec![("identisch".into(), 3, "identical"), ("neu".into(), 0, "only_right")])],
        );
        assert_eq!(b.matches("class=\"seg").count(), 1);
    }
}
