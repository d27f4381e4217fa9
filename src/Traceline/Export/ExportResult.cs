namespace Traceline.Export;

/// <summary>The outcome of one export.</summary>
public enum ExportResult
{
    /// <summary>The batch was delivered.</summary>
    Success = 0,

    /// <summary>The batch was not delivered and is dropped (the exporter has already retried what it could).</summary>
    Failure = 1,
}
