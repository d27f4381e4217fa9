namespace Traceline.Export;

/// <summary>A setting that cannot be used: where it came from, the path (or certificate subject) and why, never content.</summary>
internal sealed record OtlpTlsProblem(string Origin, string Path, string Reason);
