namespace Traceline.Export;

/// <summary>What one export request in flight writes into: its encoded body, the body compressed, and the reply.</summary>
internal sealed class OtlpRequestBuffers : IDisposable
{
    public PooledByteBuffer Payload { get; } = new();

    public PooledByteBuffer Compressed { get; } = new(1024);

    public PooledByteBuffer Reply { get; } = new(1024);

    public void Dispose()
    {
        Payload.Dispose();
        Compressed.Dispose();
        Reply.Dispose();
    }
}
