package io.streamtrain.learn;

import java.util.List;

import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossL1;
import org.nd4j.linalg.lossfunctions.impl.LossMAE;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;

/** The loss functions a spec may name, with what each fits and how one example's loss is computed. */
public enum LossKind {

    /** Multi-class cross-entropy over a softmax output. */
    MCXENT("mcxent", true, List.of("categorical_crossentropy")),
    /** The same as {@link #MCXENT} under its other name. */
    NEGATIVE_LOG_LIKELIHOOD("negative_log_likelihood", true, List.of("nll")),
    /** Binary cross-entropy: two classes, one sigmoid output unit giving the probability of class 1. */
    XENT("xent", true, List.of("binary_crossentropy")),
    /** Mean squared error over an identity output. */
    MSE("mse", false, List.of("mean_squared_error")),
    /** Mean absolute error over an identity output. */
    MAE("mae", false, List.of("l1", "mean_absolute_error"));

    /** Smallest probability a log is taken of, so one confident mistake gives a large but finite loss. */
    static final double MIN_PROBABILITY = 1e-7;

    private final String specName;
    private final boolean classification;
    private final List<String> aliases;

    LossKind(String specName, boolean classification, List<String> aliases) {
        this.specName = specName;
        this.classification = classification;
        this.aliases = aliases;
    }

    /** The name a spec uses. */
    public String specName() {
        return specName;
    }

    /** True for a classification loss, false for a regression loss. */
    public boolean isClassification() {
        return classification;
    }

    /** The kind a spec name (or one of its aliases) stands for; null when none does. */
    static LossKind fromSpecName(String name) {
        for (LossKind k : values()) {
            if (k.specName.equals(name) || k.aliases.contains(name)) {
                return k;
            }
        }
        return null;
    }

    /** The kind of a DL4J loss function; null when it is not one of these. */
    static LossKind of(ILossFunction fn) {
        // NegativeLogLikelihood extends MCXENT and L1 is a sum of absolute errors (the mean for one output)
        if (fn instanceof LossNegativeLogLikelihood) {
            return NEGATIVE_LOG_LIKELIHOOD;
        }
        if (fn instanceof LossMCXENT) {
            return MCXENT;
        }
        if (fn instanceof LossBinaryXENT) {
            return XENT;
        }
        if (fn instanceof LossMSE) {
            return MSE;
        }
        if (fn instanceof LossMAE || fn instanceof LossL1) {
            return MAE;
        }
        return null;
    }

    ILossFunction toDl4j() {
        return switch (this) {
            case MCXENT -> new LossMCXENT();
            case NEGATIVE_LOG_LIKELIHOOD -> new LossNegativeLogLikelihood();
            case XENT -> new LossBinaryXENT();
            case MSE -> new LossMSE();
            case MAE -> new LossMAE();
        };
    }

    /** The names a spec may use, for messages. */
    static String known() {
        StringBuilder b = new StringBuilder();
        for (LossKind k : values()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(k.specName);
        }
        return b.toString();
    }
}
