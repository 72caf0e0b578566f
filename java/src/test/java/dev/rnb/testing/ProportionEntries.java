package dev.rnb.testing;

import dev.rnb.data.DomainProportions;

/** A sparse or grouped {@link DomainProportions}' entries as arrays, e.g. to build the same form again. */
public final class ProportionEntries {
    private ProportionEntries() {}

    /** The listed domains, in the form's order. */
    public static int[] listed(DomainProportions p) {
        int[] ids = new int[p.listedCount()];
        for (int i = 0; i < ids.length; i++) ids[i] = p.listedDomain(i);
        return ids;
    }

    /** The listed domains' values, in the same order. */
    public static float[] values(DomainProportions p) {
        float[] v = new float[p.listedCount()];
        for (int i = 0; i < v.length; i++) v[i] = p.listedValue(i);
        return v;
    }

    /** Grouped: each group's value for its unlisted members. */
    public static float[] groupRests(DomainProportions p) {
        float[] r = new float[p.groups().groups()];
        for (int g = 0; g < r.length; g++) r[g] = p.groupRest(g);
        return r;
    }
}
