package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The documentation holds together: every relative link of README.md and docs/*.md reaches a file
 * of the repository (and, with #anchor, a heading of that page as GitHub names it), every docs page
 * is linked from the README, and the README stays a front page. No network: external links are
 * not followed.
 */
class DocsLinksTest {

    private static final Path ROOT = StackEnv.projectRoot();
    private static final Path README = ROOT.resolve("README.md");
    private static final Path DOCS = ROOT.resolve("docs");
    /** The README is a newcomer's front page of about 200 lines; the detail lives in docs/. */
    private static final int README_MAX_LINES = 230;

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    /** [text](target "title") and ![alt](target), text with at most one level of brackets inside. */
    private static final Pattern INLINE_LINK =
            Pattern.compile("!?\\[((?:[^\\[\\]]|\\[[^\\]]*\\])*)\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

    private static final Pattern REFERENCE_DEFINITION =
            Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}#{1,6}(?:\\s+(.*?))?(?:\\s+#+)?\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    /** Underscores that open or close emphasis (not those inside a word, such as GATEWAY_BIND). */
    private static final Pattern EMPHASIS_UNDERSCORE = Pattern.compile("(?<![\\p{L}\\p{N}])_+|_+(?![\\p{L}\\p{N}])");

    /** A link as written on a page, with the line it is on. */
    record Link(int line, String target) {}

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(README);
        pages.addAll(docsPages());
        return pages;
    }

    static List<Path> docsPages() throws IOException {
        try (Stream<Path> files = Files.list(DOCS)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .toList();
        }
    }

    /** The page's lines outside fenced code blocks; lines inside are blank, so numbers stay true. */
    static List<String> proseLines(List<String> lines) {
        List<String> prose = new ArrayList<>();
        String open = null;
        for (String line : lines) {
            Matcher fence = FENCE.matcher(line);
            if (open == null && fence.find()) {
                open = fence.group(1);
                prose.add("");
            } else if (open != null) {
                String trimmed = line.strip();
                char mark = open.charAt(0);
                if (trimmed.length() >= open.length() && trimmed.chars().allMatch(c -> c == mark)) {
                    open = null;
                }
                prose.add("");
            } else {
                prose.add(line);
            }
        }
        return prose;
    }

    /** Every link target of a Markdown text, outside code blocks and code spans. */
    static List<Link> links(List<String> lines) {
        List<Link> links = new ArrayList<>();
        List<String> prose = proseLines(lines);
        for (int i = 0; i < prose.size(); i++) {
            String line = CODE_SPAN.matcher(prose.get(i)).replaceAll("code");
            Matcher inline = INLINE_LINK.matcher(line);
            while (inline.find()) {
                links.add(new Link(i + 1, inline.group(2)));
            }
            Matcher definition = REFERENCE_DEFINITION.matcher(line);
            if (definition.matches()) {
                links.add(new Link(i + 1, definition.group(1)));
            }
        }
        return links;
    }

    /**
     * The anchors GitHub gives a page's headings: the heading's text as it renders (code, link and
     * emphasis marks gone), lower-cased, every character but letters, digits, marks, '-', '_' and
     * spaces dropped, spaces turned into '-'; a repeated anchor gets -1, -2, ... Explicit
     * {@code <a name|id="...">} anchors count too. ATX headings (#) only: the pages use no other kind.
     */
    static Set<String> anchors(List<String> lines) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : proseLines(lines)) {
            Matcher html = HTML_ANCHOR.matcher(line);
            while (html.find()) {
                anchors.add(html.group(1));
            }
            Matcher heading = ATX_HEADING.matcher(line);
            if (!heading.matches()) {
                continue;
            }
            String slug = slug(heading.group(1) == null ? "" : heading.group(1));
            int count = seen.merge(slug, 1, Integer::sum);
            anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
        }
        return anchors;
    }

    static String slug(String heading) {
        StringBuilder text = new StringBuilder();
        Matcher code = CODE_SPAN.matcher(heading);
        int last = 0;
        while (code.find()) {
            text.append(renderedProse(heading.substring(last, code.start())))
                    .append(code.group(2).strip());
            last = code.end();
        }
        text.append(renderedProse(heading.substring(last)));
        StringBuilder slug = new StringBuilder();
        text.toString().toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (c == ' ') {
                slug.append('-');
            } else if (c == '-'
                    || c == '_'
                    || Character.isLetterOrDigit(c)
                    || Character.getType(c) == Character.NON_SPACING_MARK
                    || Character.getType(c) == Character.COMBINING_SPACING_MARK) {
                slug.appendCodePoint(c);
            }
        });
        return slug.toString();
    }

    /** Heading text outside code spans as it renders: links become their text, emphasis marks go. */
    private static String renderedProse(String prose) {
        String text = INLINE_LINK.matcher(prose).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        text = text.replace("*", "").replace("~", "");
        return EMPHASIS_UNDERSCORE.matcher(text).replaceAll("");
    }

    /** What is wrong with each relative link of the page: a missing file, or a missing heading. */
    static List<String> brokenLinks(Path page) throws IOException {
        List<String> broken = new ArrayList<>();
        for (Link link : links(Files.readAllLines(page))) {
            String where = ROOT.relativize(page) + ":" + link.line() + ": " + link.target();
            if (link.target().isEmpty()) {
                broken.add(where + " (empty link)");
                continue;
            }
            if (SCHEME.matcher(link.target()).find() || link.target().startsWith("//")) {
                continue;
            }
            int hash = link.target().indexOf('#');
            String path = URLDecoder.decode(
                    hash < 0 ? link.target() : link.target().substring(0, hash), StandardCharsets.UTF_8);
            String anchor =
                    hash < 0 ? null : URLDecoder.decode(link.target().substring(hash + 1), StandardCharsets.UTF_8);
            Path target = path.isEmpty() ? page : page.getParent().resolve(path).normalize();
            if (!target.startsWith(ROOT)) {
                broken.add(where + " (outside the repository)");
            } else if (!Files.exists(target)) {
                broken.add(where + " (no such file: " + ROOT.relativize(target) + ")");
            } else if (anchor != null) {
                if (!target.getFileName().toString().endsWith(".md") || Files.isDirectory(target)) {
                    broken.add(where + " (an anchor into a file that is not a Markdown page)");
                } else if (!anchors(Files.readAllLines(target)).contains(anchor)) {
                    broken.add(where + " (no heading #" + anchor + " in " + ROOT.relativize(target) + "; it has "
                            + anchors(Files.readAllLines(target)) + ")");
                }
            }
        }
        return broken;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pages")
    void everyRelativeLinkReachesAFileAndItsHeading(Path page) throws IOException {
        List<String> broken = brokenLinks(page);
        assertTrue(broken.isEmpty(), "broken links:\n  " + String.join("\n  ", broken));
    }

    @Test
    void everyDocsPageIsLinkedFromTheReadme() throws IOException {
        List<Path> docs = docsPages();
        assertFalse(docs.isEmpty(), "docs/ has pages");
        Set<Path> linked = new TreeSet<>();
        for (Link link : links(Files.readAllLines(README))) {
            String path = link.target().replaceFirst("#.*", "");
            if (!path.isEmpty() && !SCHEME.matcher(path).find()) {
                linked.add(ROOT.resolve(URLDecoder.decode(path, StandardCharsets.UTF_8))
                        .normalize());
            }
        }
        List<String> unlinked = docs.stream()
                .filter(p -> !linked.contains(p))
                .map(p -> ROOT.relativize(p).toString())
                .toList();
        assertTrue(unlinked.isEmpty(), "docs pages the README does not link: " + unlinked);
    }

    @Test
    void theReadmeStaysAFrontPage() throws IOException {
        int lines = Files.readAllLines(README).size();
        assertTrue(
                lines < README_MAX_LINES,
                "README.md has " + lines + " lines; keep it under " + README_MAX_LINES
                        + " and put the detail into a docs/ page");
    }

    /** The parser itself, on text of known links and headings, so a page passes for the right reason. */
    @Test
    void theParserFindsLinksAndAnchorsAsGitHubDoes() {
        List<String> page = List.of(
                "# The API",
                "See [errors](api.md#errors), ![a diagram](img/x.png \"title\") and [`stack.env`](../stack.env).",
                "Not a link: `[code](nowhere.md)`; external: [Tribuo](https://tribuo.org).",
                "```bash",
                "echo [inside](a-fence.md)",
                "## Heading in a fence",
                "```",
                "[ref]: docs/ref.md",
                "## The candidate's CPU priority",
                "## `make canary`: shadow, [steps](x.md) and *promotion*",
                "## Settings outside stack.env",
                "### PREDICTION_LOG_TEXT and _emphasis_",
                "## FAQ",
                "## FAQ ##",
                "<a id=\"legacy-anchor\"></a>");
        assertEquals(
                List.of("api.md#errors", "img/x.png", "../stack.env", "https://tribuo.org", "docs/ref.md", "x.md"),
                links(page).stream().map(Link::target).toList());
        assertEquals(
                List.of(2, 2, 2, 3, 8, 10), links(page).stream().map(Link::line).toList());
        assertEquals(
                List.of(
                        "the-api",
                        "the-candidates-cpu-priority",
                        "make-canary-shadow-steps-and-promotion",
                        "settings-outside-stackenv",
                        "prediction_log_text-and-emphasis",
                        "faq",
                        "faq-1",
                        "legacy-anchor"),
                List.copyOf(anchors(page)));
    }
}
