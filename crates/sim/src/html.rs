//! What every page ecsim writes shares: escaping for HTML text and attributes, the palette,
//! the style sheet of `report.html`, and the head of the page with its error handler (a
//! script error is written into the page, where a browser test and the reader see it).
//! `report.html` and the what-if pages (`sweep.html`, `compare.html`) use them.

/// Readable on white and told apart by most colour-blind readers (Okabe and Ito).
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#000000",
];

/// The style sheet of `report.html`; other pages add their own rules after it.
pub const STYLE: &str = include_str!("outputs/report_html/report.css");

/// Text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The page up to its body's first line: the title (`title` is escaped here), the style
/// sheet, and a handler that records a script error on the page (`data-error` on the root,
/// shown in `#script-error`). The body starts with `data-rendered="no"`; the page's script
/// sets it to `yes` when it has run to its end.
pub fn head(title: &str, style: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{style}</style>\n\
         <script>\nwindow.onerror = function (message, source, line, column) {{\n  \
         document.documentElement.setAttribute('data-error', message + ' (line ' + line + ':' + column + ')');\n  \
         var box = document.getElementById('script-error');\n  \
         if (box) {{ box.hidden = false; box.textContent = 'The page\\'s script failed: ' + message; }}\n}};\n\
         </script>\n</head>\n<body data-rendered=\"no\">\n\
         <p id=\"script-error\" class=\"error\" role=\"alert\" hidden></p>\n",
        title = escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::{escape, head};

    #[test]
    fn markup_is_escaped_in_text_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        let page = head("a </title><script>", "p {}\n");
        assert!(page.contains("<title>a &lt;/title&gt;&lt;script&gt;</title>"));
        assert!(
            page.ends_with("<p id=\"script-error\" class=\"error\" role=\"alert\" hidden></p>\n")
        );
    }
}
