package io.streamtrain.learn;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import io.streamtrain.learn.NetworkSpec.BatchNorm;
import io.streamtrain.learn.NetworkSpec.Conv2d;
import io.streamtrain.learn.NetworkSpec.Dense;
import io.streamtrain.learn.NetworkSpec.Dropout;
import io.streamtrain.learn.NetworkSpec.ExponentialDecay;
import io.streamtrain.learn.NetworkSpec.InverseDecay;
import io.streamtrain.learn.NetworkSpec.LayerSpec;
import io.streamtrain.learn.NetworkSpec.Optimizer;
import io.streamtrain.learn.NetworkSpec.Padding;
import io.streamtrain.learn.NetworkSpec.PolyDecay;
import io.streamtrain.learn.NetworkSpec.Pool2d;
import io.streamtrain.learn.NetworkSpec.Schedule;
import io.streamtrain.learn.NetworkSpec.StepDecay;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.InverseSchedule;
import org.nd4j.linalg.schedule.PolySchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the initialised DL4J network a {@link NetworkSpec} describes, in FLOAT, or loads its warm start. */
public final class NetworkFactory {

    private static final Logger log = LoggerFactory.getLogger(NetworkFactory.class);

    private NetworkFactory() {
    }

    /**
     * The network of a spec, initialised from its seed; for a warm start, the network of its zip with its updater
     * state, checked against the spec's input size, output kind and classes.
     *
     * @throws SpecValidationException when a warm-start zip does not fit the spec
     */
    public static MultiLayerNetwork build(NetworkSpec spec) {
        if (spec.warmStart().isPresent()) {
            return warmStart(spec);
        }
        if (spec.warmStartSnapshot().isPresent()) {
            throw new IllegalStateException("warmStart: the snapshot " + spec.warmStartSnapshot().get()
                    + " has not been fetched from the models topic (the learner fetches it when it starts)");
        }
        Optimizer optimizer = spec.optimizer().orElseThrow();
        NeuralNetConfiguration.Builder global = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(DataType.FLOAT)
                .weightInit(spec.weightInit())
                .updater(updater(optimizer));
        if (spec.l2() > 0) {
            global.l2(spec.l2());
        }
        NeuralNetConfiguration.ListBuilder list = global.list();
        for (LayerSpec layer : spec.layers()) {
            list.layer(layer(layer));
        }
        list.layer(outputLayer(spec));
        list.setInputType(spec.image()
                .map(i -> InputType.convolutionalFlat(i.height(), i.width(), i.channels()))
                .orElseGet(() -> InputType.feedForward(spec.inputSize())));
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layer(LayerSpec layer) {
        if (layer instanceof Dense d) {
            return new DenseLayer.Builder().nOut(d.units()).activation(d.activation()).build();
        }
        if (layer instanceof Dropout d) {
            // DL4J takes the probability of keeping an activation, a spec the fraction dropped (as Keras does)
            return new DropoutLayer.Builder(1.0 - d.rate()).build();
        }
        if (layer instanceof BatchNorm b) {
            return new BatchNormalization.Builder().decay(b.decay()).eps(b.epsilon()).build();
        }
        if (layer instanceof Conv2d c) {
            ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(c.kernelHeight(), c.kernelWidth())
                    .stride(c.strideHeight(), c.strideWidth())
                    .nOut(c.filters())
                    .activation(c.activation());
            padding(c.padding(), b);
            return b.build();
        }
        if (layer instanceof Pool2d p) {
            SubsamplingLayer.Builder b = new SubsamplingLayer.Builder(p.max() ? PoolingType.MAX : PoolingType.AVG)
                    .kernelSize(p.kernelHeight(), p.kernelWidth())
                    .stride(p.strideHeight(), p.strideWidth());
            if (p.padding().same()) {
                b.convolutionMode(ConvolutionMode.Same);
            } else {
                b.convolutionMode(ConvolutionMode.Truncate).padding(p.padding().height(), p.padding().width());
            }
            return b.build();
        }
        throw new IllegalArgumentException("unsupported layer " + layer);
    }

    private static void padding(Padding padding, ConvolutionLayer.Builder b) {
        if (padding.same()) {
            b.convolutionMode(ConvolutionMode.Same);
        } else {
            // Truncate is Keras' 'valid': windows that do not fit at the border are dropped
            b.convolutionMode(ConvolutionMode.Truncate).padding(padding.height(), padding.width());
        }
    }

    private static OutputLayer outputLayer(NetworkSpec spec) {
        LossKind loss = spec.loss().orElseThrow();
        OutputLayer.Builder b = new OutputLayer.Builder().lossFunction(loss.toDl4j());
        if (loss == LossKind.XENT) {
            b.nOut(1).activation(Activation.SIGMOID);
        } else if (spec.isClassification()) {
            b.nOut(spec.numClasses()).activation(Activation.SOFTMAX);
        } else {
            b.nOut(1).activation(Activation.IDENTITY);
        }
        return b.build();
    }

    static IUpdater updater(Optimizer o) {
        ISchedule schedule = schedule(o.schedule(), o.learningRate());
        return switch (o.type()) {
            case SGD -> schedule == null ? new Sgd(o.learningRate()) : new Sgd(schedule);
            case ADAM -> Adam.builder().learningRate(o.learningRate()).learningRateSchedule(schedule)
                    .beta1(o.beta1()).beta2(o.beta2()).epsilon(o.epsilon()).build();
            case RMSPROP -> RmsProp.builder().learningRate(o.learningRate()).learningRateSchedule(schedule)
                    .rmsDecay(o.rmsDecay()).epsilon(o.epsilon()).build();
            case ADAGRAD -> AdaGrad.builder().learningRate(o.learningRate()).learningRateSchedule(schedule)
                    .epsilon(o.epsilon()).build();
            case NESTEROVS -> schedule == null ? new Nesterovs(o.learningRate(), o.momentum())
                    : new Nesterovs(schedule, o.momentum());
        };
    }

    /** Schedules count training steps (fits): a stream has no epochs. */
    static ISchedule schedule(Schedule s, double lr) {
        if (s == null) {
            return null;
        }
        ScheduleType per = ScheduleType.ITERATION;
        if (s instanceof StepDecay d) {
            return new StepSchedule(per, lr, d.decayRate(), d.every());
        }
        if (s instanceof ExponentialDecay d) {
            return new ExponentialSchedule(per, lr, d.gamma());
        }
        if (s instanceof InverseDecay d) {
            return new InverseSchedule(per, lr, d.gamma(), d.power());
        }
        if (s instanceof PolyDecay d) {
            return new PolySchedule(per, lr, d.power(), d.maxSteps());
        }
        throw new IllegalArgumentException("unsupported schedule " + s);
    }

    private static MultiLayerNetwork warmStart(NetworkSpec spec) {
        String zip = spec.warmStart().orElseThrow().toString();
        MultiLayerNetwork net;
        try {
            net = ModelSerializer.restoreMultiLayerNetwork(spec.warmStart().get().toFile(), true);
        } catch (IOException | RuntimeException e) {
            throw new SpecValidationException(null,
                    List.of("warmStart: cannot read a DL4J MultiLayerNetwork from " + zip + ": " + e));
        }
        if (net.params().dataType() != DataType.FLOAT) {
            log.info("Converting warm-start model {} from {} to FLOAT", zip, net.params().dataType());
            net = net.convertDataType(DataType.FLOAT);
        }
        checkWarmStart(spec, net, zip);
        return net;
    }

    private static void checkWarmStart(NetworkSpec spec, MultiLayerNetwork net, String zip) {
        Layer last = net.getLayers()[net.getLayers().length - 1];
        if (!(last.conf().getLayer() instanceof BaseOutputLayer out)) {
            throw invalid("warmStart: the last layer of " + zip + " is not an output layer with a loss function");
        }
        LossKind loss = LossKind.of(out.getLossFn());
        if (loss == null) {
            throw invalid("warmStart: the loss function of " + zip + " (" + out.getLossFn()
                    + ") is not one Streamtrain scores (" + LossKind.known() + ")");
        }
        if (spec.loss().isPresent() && spec.loss().get() != loss) {
            throw invalid("loss: the spec says " + spec.loss().get().specName() + " but the model in " + zip
                    + " was trained with " + loss.specName());
        }
        if (loss.isClassification() != spec.isClassification()) {
            throw invalid("output.type: the spec says " + spec.outputKind().name().toLowerCase(Locale.ROOT)
                    + " but the model in " + zip + " uses the " + loss.specName() + " loss");
        }
        long expectedOut = loss == LossKind.XENT || !spec.isClassification() ? 1 : spec.numClasses();
        long[] outShape;
        try (INDArray probe = Nd4j.zeros(DataType.FLOAT, 1, spec.inputSize())) {
            INDArray y = net.output(probe, false);
            outShape = y.shape();
            y.close();
        } catch (RuntimeException e) {
            throw invalid("warmStart: the model in " + zip + " does not take " + spec.inputSize()
                    + " features (the spec's input): " + e.getMessage());
        } finally {
            net.setInput(null);
        }
        if (outShape.length != 2 || outShape[1] != expectedOut) {
            String what = spec.isClassification() && loss != LossKind.XENT
                    ? spec.numClasses() + " classes" : expectedOut + " output";
            throw invalid("output: the spec expects " + what + " but the model in " + zip + " has "
                    + (outShape.length == 2 ? outShape[1] : -1) + " outputs");
        }
        if (loss == LossKind.XENT && spec.numClasses() != 2) {
            throw invalid("output.classes: the model in " + zip + " is a binary (xent) classifier, but the spec has "
                    + spec.numClasses() + " classes");
        }
    }

    private static SpecValidationException invalid(String violation) {
        return new SpecValidationException(null, List.of(violation));
    }
}
