package dev.rnb.testing;

import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small seeded mutation fuzzer for the input readers: starts from seed
 * inputs and applies random byte-level mutations (bit flips, interesting
 * bytes, insertions, deletions, duplications, splices, truncation), calling a
 * target on each. Runs for {@code -Drnb.fuzz.seconds} seconds per target
 * (default 3; CI), or {@code -Drnb.fuzz.iterations} inputs. The seed of the
 * generator is {@code -Drnb.fuzz.seed} (default fixed), so a failure
 * replays; the failing input is also printed as base64.
 */
public final class Fuzz {
    private static final byte[] INTERESTING = {0, 1, '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', '\r', 'u', '0', '-', 'e',
            '.', 't', 'n', (byte) 0x7F, (byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC3, (byte) 0xE2, (byte) 0xED, (byte) 0xF0,
            (byte) 0xF4, (byte) 0xFF};

    /** What one fuzz target does with an input; throws (anything but the expected) on a bug. */
    @FunctionalInterface
    public interface Target {
        void accept(byte[] input) throws Exception;
    }

    /** The number of inputs tried and the generator seed. */
    public record Stats(long inputs, long seed) {}

    private Fuzz() {}

    public static Stats run(String name, List<byte[]> seeds, Target target) {
        long seed = Long.getLong("rnb.fuzz.seed", 0x5EED_F022L);
        double seconds = Double.parseDouble(System.getProperty("rnb.fuzz.seconds", "3"));
        long maxIterations = Long.getLong("rnb.fuzz.iterations", Long.MAX_VALUE);
        SplittableRandom random = new SplittableRandom(seed);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long n = 0;
        for (byte[] s : seeds) {
            check(name, target, s, seed);
            n++;
        }
        while (n < maxIterations && (maxIterations != Long.MAX_VALUE || System.nanoTime() < deadline)) {
            byte[] input = seeds.get(random.nextInt(seeds.size()));
            int rounds = 1 + random.nextInt(8);
            for (int r = 0; r < rounds; r++) {
                input = mutate(input, seeds, random);
            }
            check(name, target, input, seed);
            n++;
        }
        System.out.println("fuzz " + name + ": " + n + " inputs, seed " + seed + ", no crash");
        return new Stats(n, seed);
    }

    private static void check(String name, Target target, byte[] input, long seed) {
        try {
            target.accept(input);
        } catch (Throwable t) {
            throw new AssertionError("fuzz " + name + " (seed " + seed + ") crashed on base64 input "
                    + Base64.getEncoder().encodeToString(input) + ": " + t, t);
        }
    }

    /** One random mutation of {@code in}. */
    public static byte[] mutate(byte[] in, List<byte[]> seeds, SplittableRandom r) {
        int n = in.length;
        switch (r.nextInt(8)) {
            case 0: { // flip a bit
                if (n == 0) return new byte[] {INTERESTING[r.nextInt(INTERESTING.length)]};
                byte[] out = in.clone();
                out[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                return out;
            }
            case 1: { // overwrite with an interesting byte
                if (n == 0) return new byte[] {INTERESTING[r.nextInt(INTERESTING.length)]};
                byte[] out = in.clone();
                out[r.nextInt(n)] = INTERESTING[r.nextInt(INTERESTING.length)];
                return out;
            }
            case 2: { // insert interesting bytes
                int at = r.nextInt(n + 1), len = 1 + r.nextInt(4);
                byte[] out = new byte[n + len];
                System.arraycopy(in, 0, out, 0, at);
                for (int i = 0; i < len; i++) out[at + i] = INTERESTING[r.nextInt(INTERESTING.length)];
                System.arraycopy(in, at, out, at + len, n - at);
                return out;
            }
            case 3: { // delete a range
                if (n == 0) return in;
                int at = r.nextInt(n), len = 1 + r.nextInt(Math.min(16, n - at));
                byte[] out = new byte[n - len];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + len, out, at, n - at - len);
                return out;
            }
            case 4: { // duplicate a range
                if (n == 0 || n > 1 << 16) return in;
                int at = r.nextInt(n), len = 1 + r.nextInt(Math.min(64, n - at));
                byte[] out = new byte[n + len];
                System.arraycopy(in, 0, out, 0, at + len);
                System.arraycopy(in, at, out, at + len, n - at);
                return out;
            }
            case 5: { // splice with another seed
                byte[] other = seeds.get(r.nextInt(seeds.size()));
                int cut = r.nextInt(n + 1), from = r.nextInt(other.length + 1);
                byte[] out = new byte[cut + other.length - from];
                System.arraycopy(in, 0, out, 0, cut);
                System.arraycopy(other, from, out, cut, other.length - from);
                return out;
            }
            case 6: { // truncate
                return n == 0 ? in : java.util.Arrays.copyOf(in, r.nextInt(n));
            }
            default: { // write a random 32-bit value (lengths, counts) at a random place
                if (n < 4) return in;
                byte[] out = in.clone();
                int at = r.nextInt(n - 3);
                int v = switch (r.nextInt(4)) {
                    case 0 -> -1;
                    case 1 -> Integer.MAX_VALUE;
                    case 2 -> r.nextInt(1 << 20);
                    default -> r.nextInt();
                };
                out[at] = (byte) (v >>> 24);
                out[at + 1] = (byte) (v >>> 16);
                out[at + 2] = (byte) (v >>> 8);
                out[at + 3] = (byte) v;
                return out;
            }
        }
    }
}
