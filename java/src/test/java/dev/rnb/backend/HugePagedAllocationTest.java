package dev.rnb.backend;

import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Backend#allocateHugePaged} gives what {@link Backend#allocate} gives
 * (only where the pages come from differs): zero-filled tensors of the size
 * asked, which uploads, downloads, views and copies to and from ordinary
 * tensors read and write alike. Sizes below, at and around a 2 MiB page
 * (524,288 floats), where the cpu backend switches to its own mapping, and
 * ragged ones.
 */
class HugePagedAllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void behavesAsAllocate(String name) {
        Rng rng = new Rng();
        long page = 1 << 19;
        long[] sizes = {0, 1, 17 + rng.nextInt(1000), page - 1, page, page + 1 + rng.nextInt(5000), 3 * page - rng.nextInt(99)};
        try (Backend b = TestBackends.openOrSkip(name)) {
            for (long size : sizes) {
                int n = (int) size;
                try (Tensor huge = b.allocateHugePaged(size); Tensor plain = b.allocate(size)) {
                    assertEquals(size, huge.size());
                    float[] got = new float[n];
                    java.util.Arrays.fill(got, Float.NaN);
                    b.download(huge, 0, got, 0, n);
                    assertArrayEquals(new float[n], got, rng + ": zero-filled at " + size + " floats");
                    if (n == 0) continue;
                    float[] x = rng.gaussian(n);
                    b.upload(x, 0, huge, 0, n);
                    b.copy(huge, 0, plain, 0, n); // huge -> plain -> huge again, shifted by one float
                    b.download(plain, 0, got, 0, n);
                    assertArrayEquals(x, got, rng + ": copied out at " + size);
                    int at = rng.nextInt(n);
                    b.copy(plain, 0, huge, at, n - at);
                    Tensor view = b.view(huge, at, n - at);
                    float[] tail = new float[n - at];
                    b.download(view, 0, tail, 0, tail.length);
                    assertArrayEquals(java.util.Arrays.copyOf(x, n - at), tail, rng + ": a view at " + at + " of " + size);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> b.allocateHugePaged(-1));
        }
    }
}
