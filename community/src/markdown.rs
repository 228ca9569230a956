//! Posts are plain text or Markdown, rendered safely: raw HTML in the source
//! is shown as text, and the rendered HTML goes through an allow-list
//! sanitizer (ammonia) — no script, handler or javascript: URL survives.

use pulldown_cmark::{html, Event, Options, Parser};

pub fn render(source: &str) -> String {
    let parser = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        // Raw HTML written by a user is displayed, never interpreted.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .url_schemes(["http", "https", "mailto"].into())
        .clean(&out)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_renders() {
        assert_eq!(render("**ważne**"), "<p><strong>ważne</strong></p>\n");
        assert!(render("[CUS](https://cus.example)").contains("href=\"https://cus.example\""));
    }

    #[test]
    fn no_executable_markup_survives() {
        let corpus = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[klik](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg/onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "![x](javascript:alert(1))",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "[x](JaVaScRiPt:alert(1))",
            "<details open ontoggle=alert(1)>",
            "`<script>` in code is fine",
            "<<script>script>alert(1)<</script>/script>",
        ];
        for input in corpus {
            let html = render(input).to_lowercase();
            // Every real tag (text is escaped, so `<` only opens tags).
            for tag in html
                .split('<')
                .skip(1)
                .map(|t| t.split('>').next().unwrap_or(""))
            {
                for bad in ["script", "iframe", "svg", " on", "javascript:", "style="] {
                    assert!(!tag.contains(bad), "{input:?} rendered as {html:?}");
                }
            }
        }
    }
}
