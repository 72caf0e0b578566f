package dev.rnb.mix;

import java.util.List;
import java.util.Locale;

/** Builds a strategy by name. */
public final class Strategies {
    /** Every method, in the order of the paper's tables. */
    public static final List<String> NAMES = List.of("stratified", "natural", "skill-it", "aioli", "dga", "rnb");

    private Strategies() {}

    /** The method's name as {@link #NAMES} spells it (aliases: "r&b", "skillit"); an unknown name is an error. */
    public static String canonical(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "stratified", "natural", "skill-it", "aioli", "dga", "rnb" -> n;
            case "r&b" -> "rnb";
            case "skillit" -> "skill-it";
            default -> throw new IllegalArgumentException("unknown mixing method '" + name + "'; one of " + NAMES);
        };
    }

    public static MixingStrategy create(String name, MixingContext ctx) {
        return switch (canonical(name)) {
            case "stratified" -> new StaticStrategy("stratified", ctx.stratified());
            case "natural" -> new StaticStrategy("natural", ctx.train().proportions());
            case "rnb" -> RnbStrategy.create(ctx);
            case "skill-it" -> new SkillItStrategy(ctx);
            case "aioli" -> new AioliStrategy(ctx);
            case "dga" -> new DgaStrategy(ctx);
            default -> throw new AssertionError("canonical() returned " + name);
        };
    }

    /** Display label for tables ("R&B" for rnb). */
    public static String label(String name) {
        return switch (name) {
            case "stratified" -> "Stratified";
            case "natural" -> "Natural";
            case "skill-it" -> "Skill-It";
            case "aioli" -> "Aioli";
            case "dga" -> "DGA";
            case "rnb" -> "R&B";
            default -> name;
        };
    }
}
