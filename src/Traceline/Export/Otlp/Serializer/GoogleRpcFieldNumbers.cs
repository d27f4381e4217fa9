namespace Traceline.Export;

/// <summary>
/// Field numbers of the messages a gRPC receiver answers with (google/rpc/status.proto, google/rpc/error_details.proto,
/// google/protobuf/any.proto and duration.proto), named <c>Message_field_name</c> exactly as in those files.
/// </summary>
internal static class GoogleRpcFieldNumbers
{
    public const int Status_code = 1;
    public const int Status_message = 2;
    public const int Status_details = 3;

    public const int Any_type_url = 1;
    public const int Any_value = 2;

    public const int RetryInfo_retry_delay = 1;

    public const int Duration_seconds = 1;
    public const int Duration_nanos = 2;
}
