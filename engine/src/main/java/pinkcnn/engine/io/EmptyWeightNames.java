package pinkcnn.engine.io;

import io.jhdf.api.Attribute;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.message.DataSpace;
import java.nio.ByteBuffer;

/**
 * The {@code weight_names} attribute of a weightless layer as Keras writes it: {@code numpy.asarray([])}, a float64
 * array of shape (0,). jhdf's {@code putAttribute} cannot encode an empty array, so this attribute describes itself to
 * jhdf's writer directly (type float64, dataspace of one dimension of size 0, no data bytes).
 */
final class EmptyWeightNames implements Attribute {

    private static final String NAME = "weight_names";
    private final Node node;
    private final DataSpace space = DataSpace.modifyDimensions(DataSpace.fromObject(new double[1]), new long[] {0});
    private final DataType type = new EmptyFloat64();

    private EmptyWeightNames(Node node) {
        this.node = node;
    }

    static void putOn(WritableGroup group) {
        group.getAttributes().put(NAME, new EmptyWeightNames(group));
    }

    /** float64, whose encoding of "no values" is zero bytes (jhdf's own encoder expects at least one value). */
    private static final class EmptyFloat64 extends FloatingPoint {
        EmptyFloat64() {
            super(DataType.fromObject(new double[1]).toBuffer());
        }

        @Override
        public ByteBuffer encodeData(Object data) {
            return ByteBuffer.allocate(0);
        }
    }

    @Override public Node getNode() { return node; }
    @Override public String getName() { return NAME; }
    @Override public long getSize() { return 0; }
    @Override public long getSizeInBytes() { return 0; }
    @Override public int[] getDimensions() { return new int[] {0}; }
    @Override public long[] getDimensionsAsLong() { return new long[] {0}; }
    @Override public Object getData() { return new double[0]; }
    @Override public Class<?> getJavaType() { return double.class; }
    @Override public boolean isScalar() { return false; }
    @Override public boolean isEmpty() { return true; }
    @Override public ByteBuffer getBuffer() { return ByteBuffer.allocate(0); }
    @Override public DataSpace getDataSpace() { return space; }
    @Override public DataType getDataType() { return type; }
}
