namespace Traceline.Export;

/// <summary>What one send came to, as the transmission policy needs it.</summary>
internal enum OtlpExportOutcomeKind
{
    Success,
    Retryable,
    Permanent,
}

/// <summary>The outcome of one send: the kind, why (for a diagnostic, header values removed) and the delay a receiver asked for.</summary>
internal readonly record struct OtlpExportOutcome(OtlpExportOutcomeKind Kind, string Reason, TimeSpan? RetryAfter)
{
    public static OtlpExportOutcome Success => new(OtlpExportOutcomeKind.Success, string.Empty, null);

    public static OtlpExportOutcome Retry(string reason, TimeSpan? retryAfter) => new(OtlpExportOutcomeKind.Retryable, reason, retryAfter);

    public static OtlpExportOutcome Permanent(string reason) => new(OtlpExportOutcomeKind.Permanent, reason, null);
}
