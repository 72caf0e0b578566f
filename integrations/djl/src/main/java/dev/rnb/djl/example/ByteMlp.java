package dev.rnb.djl.example;

import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.embedding.TrainableWordEmbedding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import java.util.ArrayList;
import java.util.List;

/**
 * A small byte-level language model for the example: at every position,
 * embed the last {@code context} bytes, concatenate, two hidden layers, and
 * a final Linear to the 256 byte logits (the layer R&amp;B reads).
 * Input (B, T, context) byte ids; output (B, T, 256).
 */
final class ByteMlp {
    static final int VOCAB = 256;

    private ByteMlp() {}

    static SequentialBlock build(int context, int embedding, int hidden) {
        List<String> bytes = new ArrayList<>(VOCAB);
        for (int b = 0; b < VOCAB; b++) {
            bytes.add(Integer.toString(b));
        }
        return new SequentialBlock()
                .add(new TrainableWordEmbedding(new DefaultVocabulary(bytes), embedding))
                .add(list -> {
                    NDArray e = list.singletonOrThrow();                    // (B, T, context, embedding)
                    Shape s = e.getShape();
                    return new NDList(e.reshape(s.get(0), s.get(1), (long) context * embedding));
                })
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(VOCAB).build());
    }
}
