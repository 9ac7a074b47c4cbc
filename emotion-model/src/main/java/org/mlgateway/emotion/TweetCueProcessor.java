package org.mlgateway.emotion;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.tribuo.Feature;
import org.tribuo.data.text.TextProcessor;

/**
 * Tweet cues that word and character n-grams blur, one {@link Feature} of value 1 per occurrence:
 * {@code e:} each emoji and each emoticon token (":)", "<3", ":d"...), {@code h:} each hashtag's word
 * ("#fail" → {@code h:fail}, where the word feature sees only "fail"), {@code x:elongated} for a word
 * with a letter repeated 3+ times ("soooo", which normalising squeezes) and {@code x:shouting} for a word
 * of 3+ letters in capitals (which normalising lower-cases).
 *
 * <p>Unlike the n-gram processors it reads the raw text, because the last two cues are what normalising
 * removes; the first two are taken from the normalised text (entities decoded: "&amp;lt;3" is "<3").
 */
public final class TweetCueProcessor implements TextProcessor {

    static final String EMOJI = "e:";
    static final String HASHTAG = "h:";
    static final String CUE = "x:";

    private static final Set<String> EMOTICONS = Set.of(
            ":)", ":-)", ":(", ":-(", ":d", ":-d", ";)", ";-)", ":p", ":-p", ";p", ":/", ":-/", ":'(", ":|", "<3",
            "</3", "xd", "=)", "=(", ":o", "d:", ":]", ":[", "^^", "^_^", "-_-", ":*", ";d", ":s", "=d", ":@", ">:(",
            "t_t", "o_o", ":))", ":((");

    @Config(description = "emoji and emoticons")
    private boolean emoji = true;

    @Config(description = "hashtags")
    private boolean hashtags = true;

    @Config(description = "elongated words and words in capitals")
    private boolean emphasis = true;

    /** For OLCUT. */
    private TweetCueProcessor() {}

    public TweetCueProcessor(boolean emoji, boolean hashtags, boolean emphasis) {
        this.emoji = emoji;
        this.hashtags = hashtags;
        this.emphasis = emphasis;
    }

    @Override
    public List<Feature> process(String rawText) {
        return process(null, rawText);
    }

    @Override
    public List<Feature> process(String tag, String rawText) {
        List<Feature> features = new ArrayList<>();
        names(rawText, name -> features.add(new Feature(WordNgramProcessor.name(tag, name), 1)));
        return features;
    }

    /** Each feature name, once per occurrence: what {@link #process} makes features of, without the objects. */
    void names(String rawText, Consumer<String> out) {
        if (emoji || hashtags) {
            for (String token : TweetTokens.split(TweetNormalizer.normalise(rawText))) {
                if (emoji) {
                    emoji(token, out);
                }
                if (hashtags && token.length() > 1 && token.charAt(0) == '#') {
                    String word = TweetTokens.word(token.substring(1));
                    if (Character.isLetterOrDigit(word.charAt(0))) {
                        out.accept(HASHTAG + word);
                    }
                }
            }
        }
        if (emphasis) {
            emphasis(rawText, out);
        }
    }

    private static void emoji(String token, Consumer<String> out) {
        if (EMOTICONS.contains(token)) {
            out.accept(EMOJI + token);
            return;
        }
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            // Emoji and pictographs (😂, ❤, ☺...) are "other symbols" outside the letter-like ranges.
            if (cp >= 0x2190 && Character.getType(cp) == Character.OTHER_SYMBOL) {
                out.accept(EMOJI + new String(Character.toChars(cp)));
            }
            i += Character.charCount(cp);
        }
    }

    // Per whitespace-separated word of the raw text: a letter run of 3+, and 3+ letters all in capitals.
    private static void emphasis(String raw, Consumer<String> out) {
        int letters = 0;
        int capitals = 0;
        int run = 0;
        boolean elongated = false;
        char last = 0;
        for (int i = 0; i <= raw.length(); i++) {
            char c = i < raw.length() ? raw.charAt(i) : ' ';
            if (Character.isWhitespace(c)) {
                if (elongated) {
                    out.accept(CUE + "elongated");
                }
                if (letters >= 3 && capitals == letters) {
                    out.accept(CUE + "shouting");
                }
                letters = capitals = run = 0;
                elongated = false;
                last = 0;
                continue;
            }
            if (Character.isLetter(c)) {
                letters++;
                capitals += Character.isUpperCase(c) ? 1 : 0;
                char lower = Character.toLowerCase(c);
                run = lower == last ? run + 1 : 1;
                elongated |= run >= 3;
                last = lower;
            } else {
                last = 0;
                run = 0;
            }
        }
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TextProcessor");
    }
}
