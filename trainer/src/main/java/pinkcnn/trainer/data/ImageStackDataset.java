package pinkcnn.trainer.data;

import io.jhdf.AbstractWritableNode;
import io.jhdf.HdfFile;
import io.jhdf.ObjectHeader;
import io.jhdf.api.Group;
import io.jhdf.api.NodeType;
import io.jhdf.api.WritableDataset;
import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.dataset.chunked.indexing.ChunkImpl;
import io.jhdf.dataset.chunked.indexing.FixedArrayIndexWriter;
import io.jhdf.exceptions.HdfWritingException;
import io.jhdf.filter.PipelineFilterWithData;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.message.DataLayout;
import io.jhdf.object.message.DataLayoutMessage.ChunkedDataLayoutMessageV4;
import io.jhdf.object.message.DataSpace;
import io.jhdf.object.message.DataSpaceMessage;
import io.jhdf.object.message.DataTypeMessage;
import io.jhdf.object.message.FillValueMessage;
import io.jhdf.object.message.FilterPipelineMessage;
import io.jhdf.object.message.FilterPipelineMessage.FilterInfo;
import io.jhdf.object.message.Message;
import io.jhdf.storage.HdfFileChannel;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An N×H×W×3 uint8 HDF5 dataset written by streaming: one deflate-compressed chunk per image, pulled from an iterator
 * only when jHDF writes the file, so the images never have to be in memory together.
 *
 * <p>jHDF's own writer takes the whole dataset as a Java array and, for a shape whose innermost dimension is 3, as
 * N·H·W tiny arrays (about 8× the pixel memory and very slow). This class writes the same structures jHDF writes for a
 * chunked, filtered dataset (object header with datatype, dataspace, filter pipeline and a version-4 chunked layout with a
 * fixed-array chunk index), using jHDF's public message classes, so h5py and jHDF read it as any other dataset.
 */
final class ImageStackDataset extends AbstractWritableNode implements WritableDataset {

    /** The HDF5 deflate filter (zlib), id 1. */
    private static final int DEFLATE_FILTER_ID = 1;

    private final int count, height, width;
    private final int deflateLevel;
    private final Iterator<byte[]> compressedChunks;
    private final DataType dataType = new FixedPoint(1, false);   // uint8
    private final DataSpace dataSpace;
    private long storageInBytes = -1;

    /**
     * @param compressedChunks exactly {@code count} zlib streams, image i's {@code height × width × 3} bytes each,
     *                         compressed at {@code deflateLevel}
     */
    ImageStackDataset(Group parent, String name, int count, int height, int width, int deflateLevel,
                      Iterator<byte[]> compressedChunks) {
        super(parent, name);
        if (count < 1) throw new IllegalArgumentException("an image dataset needs at least one image");
        this.count = count;
        this.height = height;
        this.width = width;
        this.deflateLevel = deflateLevel;
        this.compressedChunks = compressedChunks;
        this.dataSpace = DataSpace.modifyDimensions(DataSpace.fromObject(new byte[1][1][1][1]),
                new long[] {count, height, width, 3});
    }

    @Override
    public long write(HdfFileChannel channel, long position) {
        List<FilterInfo> filters = List.of(new FilterInfo(DEFLATE_FILTER_ID, "deflate", false, new int[] {deflateLevel}));
        List<Message> messages = new ArrayList<>();
        messages.add(DataTypeMessage.create(dataType));
        messages.add(DataSpaceMessage.create(dataSpace));
        messages.add(FillValueMessage.NO_FILL);
        messages.add(FilterPipelineMessage.create(filters));
        // The layout message holds addresses known only after the data is written: size the header with a placeholder
        // of the same encoded length, write the chunks after it, then rewrite the header with the real message.
        Message placeholder = layoutMessage(io.jhdf.Constants.UNDEFINED_ADDRESS, 0);
        messages.add(placeholder);
        int headerSize = new ObjectHeader.ObjectHeaderV2(position, messages).toBuffer().limit();

        long address = position + headerSize;
        // 12 bytes of index per image (a ChunkImpl each would be about 100): a split of millions of images fits.
        long[] addresses = new long[count];
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            if (!compressedChunks.hasNext()) {
                throw new HdfWritingException("image source ended after " + i + " of " + count + " images");
            }
            byte[] chunk = compressedChunks.next();
            writeFully(channel, ByteBuffer.wrap(chunk), address);
            addresses[i] = address;
            sizes[i] = chunk.length;
            address += chunk.length;
        }
        List<Chunk> chunks = new AbstractList<>() {   // made as the index writer reads them
            @Override
            public Chunk get(int i) {
                return new ChunkImpl(addresses[i], sizes[i], new long[] {i, 0, 0, 0});
            }

            @Override
            public int size() {
                return count;
            }
        };
        if (compressedChunks.hasNext()) throw new HdfWritingException("image source has more than " + count + " images");
        storageInBytes = address - (position + headerSize);

        long end;
        Message layout;
        if (count == 1) {
            layout = layoutMessage(chunks.get(0).getAddress(), chunks.get(0).getSize());
            end = address;
        } else {
            ByteBuffer index = FixedArrayIndexWriter.createFixedArray(chunks, address, chunkBytes(), true, pageBits());
            writeFully(channel, index, address);
            layout = layoutMessage(address, 0);
            end = address + index.limit();
        }
        messages.set(messages.indexOf(placeholder), layout);
        channel.write(new ObjectHeader.ObjectHeaderV2(position, messages).toBuffer(), position);
        channel.position(end);
        return end;
    }

    private ChunkedDataLayoutMessageV4 layoutMessage(long address, int singleChunkSize) {
        int[] chunkDims = {1, height, width, 3, dataType.getSize()};   // HDF5 appends the element size
        return count == 1
                ? ChunkedDataLayoutMessageV4.createFilteredSingleChunk(address, chunkDims, singleChunkSize)
                : ChunkedDataLayoutMessageV4.createFixedArray(address, chunkDims, pageBits());
    }

    private int chunkBytes() {
        return height * width * 3;
    }

    /** log2 of the fixed-array page size; large enough that the index is one unpaged block, as jHDF writes it. */
    private int pageBits() {
        int bits = 32 - Integer.numberOfLeadingZeros(count - 1);
        return Math.max(10, bits);
    }

    private static void writeFully(HdfFileChannel channel, ByteBuffer buffer, long address) {
        while (buffer.hasRemaining()) address += channel.write(buffer, address);
    }

    // ---- The read side of the Dataset interface: metadata only; the data lives in the file once written. ----

    @Override public long getSize() { return dataSpace.getTotalLength(); }
    @Override public long getSizeInBytes() { return getSize(); }
    @Override public long getStorageInBytes() { return storageInBytes >= 0 ? storageInBytes : getSizeInBytes(); }
    @Override public int[] getDimensions() { return dataSpace.getDimensions(); }
    @Override public long[] getDimensionsAsLong() { return dataSpace.getDimensionsAsLong(); }
    @Override public boolean isScalar() { return false; }
    @Override public boolean isEmpty() { return false; }
    @Override public boolean isCompound() { return false; }
    @Override public boolean isVariableLength() { return false; }
    @Override public long[] getMaxSize() { return dataSpace.getMaxSizes(); }
    @Override public DataLayout getDataLayout() { return DataLayout.CHUNKED; }
    @Override public Object getData() { throw notReadable(); }
    @Override public Object getDataFlat() { throw notReadable(); }
    @Override public Object getData(long[] sliceOffset, int[] sliceDimensions) { throw notReadable(); }
    @Override public Class<?> getJavaType() { return byte.class; }
    @Override public DataType getDataType() { return dataType; }
    @Override public Object getFillValue() { return null; }
    @Override public List<PipelineFilterWithData> getFilters() { return List.of(); }
    @Override public NodeType getType() { return NodeType.DATASET; }
    @Override public boolean isGroup() { return false; }
    @Override public File getFile() { return getParent().getFile(); }
    @Override public Path getFileAsPath() { return getParent().getFileAsPath(); }
    @Override public HdfFile getHdfFile() { return getParent().getHdfFile(); }
    @Override public long getAddress() { throw new HdfWritingException("address not known until written"); }
    @Override public boolean isLink() { return false; }
    @Override public boolean isAttributeCreationOrderTracked() { return false; }

    private static HdfWritingException notReadable() {
        return new HdfWritingException("a streamed image dataset is written, not read; open the file to read it");
    }
}
