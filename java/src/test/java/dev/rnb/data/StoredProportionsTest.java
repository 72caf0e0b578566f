package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checkpoint codec of {@link DomainProportions}: each form written and
 * read back is the same form with the same values, bit for bit, for random
 * inputs at ragged k (1 included, no listed domain included); grouped ones
 * bind only to the same partition; malformed and truncated bytes are an
 * IOException that says what is wrong, in one line, never another exception.
 */
class StoredProportionsTest {
    static final int[] KS = {1, 2, 3, 7, 31, 100, 1000, 4099};

    static byte[] encode(DomainProportions p) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            StoredProportions.write(out, p);
        }
        return bytes.toByteArray();
    }

    static StoredProportions decode(byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        StoredProportions s = StoredProportions.read(in);
        assertFalse(in.hasRemaining(), "the reader takes exactly what the writer wrote");
        return s;
    }

    static float[] randomValues(int n, SplittableRandom rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextInt(5) == 0 ? 0f : (float) rng.nextDouble() / Math.max(1, n);
        return v;
    }

    /** t distinct domains of k, in random order. */
    static int[] randomListed(int k, int t, SplittableRandom rng) {
        int[] all = new int[k];
        for (int i = 0; i < k; i++) all[i] = i;
        for (int i = 0; i < t; i++) {
            int j = i + rng.nextInt(k - i), x = all[i];
            all[i] = all[j];
            all[j] = x;
        }
        return Arrays.copyOf(all, t);
    }

    static DomainGroups randomGroups(int k, int groups, SplittableRandom rng) {
        int[] groupOf = new int[k];
        for (int d = 0; d < k; d++) groupOf[d] = d < groups ? d : rng.nextInt(groups); // every group has a member
        for (int d = k - 1; d > 0; d--) {
            int j = rng.nextInt(d + 1), x = groupOf[d];
            groupOf[d] = groupOf[j];
            groupOf[j] = x;
        }
        return new DomainGroups(groupOf, groups);
    }

    static void assertSameForm(DomainProportions want, DomainProportions got) {
        assertEquals(want.domains(), got.domains());
        assertEquals(want.isSparse(), got.isSparse(), "sparse or not");
        assertEquals(want.isGrouped(), got.isGrouped(), "grouped or not");
        if (want.isSparse()) {
            assertEquals(want.listedCount(), got.listedCount());
            for (int i = 0; i < want.listedCount(); i++) {
                assertEquals(want.listedDomain(i), got.listedDomain(i));
                assertEquals(Float.floatToIntBits(want.listedValue(i)), Float.floatToIntBits(got.listedValue(i)));
            }
        }
        if (want.isSparse() && !want.isGrouped()) assertEquals(Float.floatToIntBits(want.rest()), Float.floatToIntBits(got.rest()));
        assertArrayEquals(want.toArray(), got.toArray(), "all k values, bit for bit");
    }

    @Test
    void everyFormRoundTripsAtRaggedK() throws IOException {
        SplittableRandom rng = new SplittableRandom(0x5eed);
        for (int k : KS) {
            for (int rep = 0; rep < 4; rep++) {
                int t = rep == 0 ? 0 : rng.nextInt(k + 1); // no listed domain, then any number up to all k
                int[] listed = randomListed(k, t, rng);
                DomainGroups groups = randomGroups(k, 1 + rng.nextInt(k), rng);
                DomainProportions[] forms = {
                        DomainProportions.dense(randomValues(k, rng)),
                        DomainProportions.sparse(k, listed, randomValues(t, rng), (float) rng.nextDouble() / k),
                        DomainProportions.grouped(groups, listed, randomValues(t, rng), randomValues(groups.groups(), rng)),
                };
                for (DomainProportions p : forms) {
                    byte[] bytes = encode(p);
                    StoredProportions s = decode(bytes);
                    assertEquals(k, s.domains());
                    assertSameForm(p, s.bind(p.isGrouped() ? groups : null));
                    assertArrayEquals(bytes, encode(s.bind(groups)), "k " + k + ": read back, it writes the same bytes");
                }
            }
        }
    }

    @Test
    void sparseBytesDoNotGrowWithK() throws IOException {
        SplittableRandom rng = new SplittableRandom(3);
        int[] listed = randomListed(1000, 320, rng);
        float[] values = randomValues(320, rng);
        int small = encode(DomainProportions.sparse(1000, listed, values, 1e-4f)).length;
        int large = encode(DomainProportions.sparse(1_000_000, listed, values, 1e-7f)).length;
        assertEquals(small, large, "t listed values and one shared, at 10^3 or 10^6 domains");
        assertEquals(1 + 4 + 4 + 320 * 8 + 4, large);
    }

    @Test
    void groupedProportionsBindOnlyToTheSamePartition() throws IOException {
        SplittableRandom rng = new SplittableRandom(11);
        int k = 500;
        DomainGroups groups = randomGroups(k, 20, rng);
        int[] listed = randomListed(k, 30, rng);
        StoredProportions s = decode(encode(DomainProportions.grouped(groups, listed, randomValues(30, rng), randomValues(20, rng))));

        DomainGroups same = new DomainGroups(groupOf(groups), 20); // another object, the same partition
        assertSameForm(s.bind(groups), s.bind(same));

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> s.bind(null));
        assertTrue(none.getMessage().contains("grouped by 20 groups of 500 domains, and this run has no groups"), none.getMessage());
        int[] moved = groupOf(groups);
        int d = 0;
        while (groups.size(moved[d]) < 2) d++; // a member whose group keeps another one
        moved[d] = (moved[d] + 1) % 20;
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> s.bind(new DomainGroups(moved, 20)));
        assertTrue(other.getMessage().endsWith("another partition"), other.getMessage());
        IllegalArgumentException fewer = assertThrows(IllegalArgumentException.class, () -> s.bind(randomGroups(k, 19, rng)));
        assertTrue(fewer.getMessage().contains("this run's groups are 19 of 500"), fewer.getMessage());
        IllegalArgumentException larger = assertThrows(IllegalArgumentException.class, () -> s.bind(randomGroups(k + 1, 20, rng)));
        assertTrue(larger.getMessage().contains("this run's groups are 20 of 501"), larger.getMessage());
    }

    private static int[] groupOf(DomainGroups g) {
        int[] out = new int[g.domains()];
        for (int d = 0; d < out.length; d++) out[d] = g.groupOf(d);
        return out;
    }

    /** A header, then fields as given: form, k, then ints/floats (for hand-made malformed inputs). */
    private static byte[] bytes(int form, int k, Object... fields) {
        ByteBuffer b = ByteBuffer.allocate(5 + 8 * fields.length);
        b.put((byte) form).putInt(k);
        for (Object f : fields) {
            if (f instanceof Integer i) b.putInt(i);
            else if (f instanceof Float x) b.putFloat(x);
            else b.putLong((Long) f);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private static void assertMalformed(byte[] input, String says) {
        IOException e = assertThrows(IOException.class, () -> StoredProportions.read(ByteBuffer.wrap(input)));
        assertTrue(e.getMessage().contains(says), "'" + e.getMessage() + "' says " + says);
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void malformedInputsSayWhatIsWrong() {
        assertMalformed(bytes(7, 3), "form is 7, not 0 (dense), 1 (sparse) or 2 (grouped)");
        assertMalformed(bytes(0, 0), "over 0 domains");
        assertMalformed(bytes(0, -5), "over -5 domains");
        assertMalformed(bytes(0, 3, 0.5f, 0.5f), "3 values exceed the 8 bytes left");
        assertMalformed(bytes(0, 2, 0.5f, Float.NaN), "the proportion of domain 1 is NaN");
        assertMalformed(bytes(1, 3, 4), "4 listed domains of 3");
        assertMalformed(bytes(1, 3, -1), "-1 listed domains of 3");
        assertMalformed(bytes(1, 1_000_000, Integer.MAX_VALUE / 2), "listed domains of 1000000");
        assertMalformed(bytes(1, 1_000_000, 100_000, 5), "100000 listed domains exceed the 4 bytes left");
        assertMalformed(bytes(1, 3, 2, 0, 3, 0.2f, 0.3f, 0.1f), "listed domain 3 is not in [0, 3)");
        assertMalformed(bytes(1, 3, 2, 1, 1, 0.2f, 0.3f, 0.1f), "domain 1 is listed twice");
        assertMalformed(bytes(1, 3, 1, 2, -0.5f, 0.1f), "the proportion of domain 2 is -0.5");
        assertMalformed(bytes(1, 3, 1, 2, 0.5f, Float.POSITIVE_INFINITY), "a shared proportion is Infinity");
        assertMalformed(bytes(2, 3, 0, 1L, 0), "0 groups of 3 domains");
        assertMalformed(bytes(2, 3, 4, 1L, 0), "4 groups of 3 domains");
        assertMalformed(bytes(2, 3, 2, 1L, 0, 0.5f), "2 group values exceed the 4 bytes left");
        assertMalformed(bytes(2, 3, 2, 1L, 1, 0, 0.5f, 0.25f, Float.NaN), "a shared proportion is NaN");
    }

    @Test
    void everyTruncationIsAnIOExceptionThatSaysSo() throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        int k = 40;
        DomainGroups groups = randomGroups(k, 6, rng);
        int[] listed = randomListed(k, 9, rng);
        for (DomainProportions p : new DomainProportions[] {DomainProportions.dense(randomValues(k, rng)),
                DomainProportions.sparse(k, listed, randomValues(9, rng), 0.01f),
                DomainProportions.grouped(groups, listed, randomValues(9, rng), randomValues(6, rng))}) {
            byte[] whole = encode(p);
            for (int n = 0; n < whole.length; n++) {
                byte[] cut = Arrays.copyOf(whole, n);
                IOException e = assertThrows(IOException.class, () -> StoredProportions.read(ByteBuffer.wrap(cut)), "cut at " + n);
                assertTrue(e.getMessage().contains("end before their fields do") || e.getMessage().contains("bytes left"),
                        "cut at " + n + ": " + e.getMessage());
            }
        }
    }

    @Test
    void proportionsOverNoDomainIsNotStored() {
        assertThrows(IllegalArgumentException.class, () -> StoredProportions.of(DomainProportions.dense(new float[0])));
    }
}
