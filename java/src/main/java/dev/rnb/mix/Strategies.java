package dev.rnb.mix;

import java.util.List;
import java.util.Locale;

/** Builds a strategy by name. */
public final class Strategies {
    /** Every method, in the order of the paper's tables. */
    public static final List<String> NAMES = List.of("stratified", "natural", "skill-it", "aioli", "dga", "rnb");

    /** Methods that learn fixed weights on small proxy models first (not run by default: each costs two small training runs). */
    public static final List<String> PROXY_METHODS = List.of("doremi", "doge");

    private Strategies() {}

    /**
     * The method as {@link #NAMES} spells it (aliases: "r&b", "skillit"),
     * followed by its own settings if any: {@code rnb:lambda=5:K=10} runs R&B
     * with lambda 5 and rounds of 10 steps beside the other methods (for
     * sweeps in one experiment; keys as {@link MixOptions#with}). An unknown
     * name or setting is an error.
     */
    public static String canonical(String spec) {
        String[] parts = spec.strip().split(":");
        StringBuilder out = new StringBuilder(baseName(parts[0]));
        MixOptions check = MixOptions.defaults(0);
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("method setting '" + parts[i] + "' of '" + spec + "' is not KEY=VALUE");
            }
            check = check.with(kv[0].strip(), kv[1].strip());
            out.append(':').append(kv[0].strip()).append('=').append(kv[1].strip());
        }
        return out.toString();
    }

    /** The method's base name (before any ':' settings). */
    public static String base(String spec) {
        int cut = spec.indexOf(':');
        return cut < 0 ? spec : spec.substring(0, cut);
    }

    /** {@code mix} with the settings a method spec carries applied (see {@link #canonical}). */
    static MixOptions settings(String spec, MixOptions mix) {
        String[] parts = canonical(spec).split(":");
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            mix = mix.with(kv[0], kv[1]);
        }
        return mix;
    }

    private static String baseName(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "stratified", "natural", "skill-it", "aioli", "dga", "rnb", "doremi", "doge" -> n;
            case "r&b" -> "rnb";
            case "skillit" -> "skill-it";
            default -> throw new IllegalArgumentException("unknown mixing method '" + name + "'; one of " + NAMES + " or " + PROXY_METHODS);
        };
    }

    /** Builds the method of {@code spec}, its own settings (if any) applied to the context's. */
    public static MixingStrategy create(String spec, MixingContext ctx) {
        MixingContext c = ctx.with(settings(spec, ctx.mix()));
        return switch (base(canonical(spec))) {
            case "stratified" -> new StaticStrategy("stratified", c.stratified());
            case "natural" -> new StaticStrategy("natural", c.train().proportions());
            case "rnb" -> RnbStrategy.create(c);
            case "skill-it" -> new SkillItStrategy(c);
            case "aioli" -> new AioliStrategy(c);
            case "dga" -> new DgaStrategy(c);
            case "doremi" -> new DoremiStrategy(c);
            case "doge" -> new DogeStrategy(c);
            default -> throw new AssertionError("canonical() returned " + spec);
        };
    }

    /** Display label for tables ("R&B" for rnb; settings in brackets: "R&B (lambda=5, K=10)"). */
    public static String label(String spec) {
        int cut = spec.indexOf(':');
        if (cut >= 0) {
            return label(spec.substring(0, cut)) + " (" + spec.substring(cut + 1).replace(":", ", ") + ")";
        }
        return switch (spec) {
            case "stratified" -> "Stratified";
            case "natural" -> "Natural";
            case "skill-it" -> "Skill-It";
            case "aioli" -> "Aioli";
            case "dga" -> "DGA";
            case "rnb" -> "R&B";
            case "doremi" -> "DoReMi";
            case "doge" -> "DoGE";
            default -> spec;
        };
    }
}
