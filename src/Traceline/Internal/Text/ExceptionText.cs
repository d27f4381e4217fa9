namespace Traceline;

/// <summary>
/// Reads what the conventions record of an exception. <see cref="Exception.Message"/>, <see cref="Exception.StackTrace"/>
/// and <see cref="Exception.ToString"/> are virtual, and an app's override can throw: a getter that throws gives
/// <see langword="null"/> (the attribute is left out), never an exception in the caller.
/// </summary>
internal static class ExceptionText
{
    /// <summary>The exception's full type name (<c>exception.type</c>, <c>error.type</c>).</summary>
    public static string TypeName(Exception exception)
    {
        var type = exception.GetType();
        return type.FullName ?? type.Name;
    }

    /// <summary><see cref="Exception.Message"/>, or <see langword="null"/> when its getter throws.</summary>
    public static string? Message(Exception exception)
    {
        try
        {
            return exception.Message;
        }
        catch (Exception)
        {
            return null; // an app's override failed: the message is unknown, not ours to report
        }
    }

    /// <summary>
    /// <see cref="Exception.ToString"/> (type, message, inner exceptions and stack, as the conventions ask); when that
    /// throws, the type name and <see cref="Exception.StackTrace"/>; <see langword="null"/> when both throw.
    /// </summary>
    public static string? StackTrace(Exception exception)
    {
        try
        {
            return exception.ToString();
        }
        catch (Exception)
        {
            // ToString reads Message and StackTrace: one of the app's overrides failed, so try the stack alone.
        }

        try
        {
            return exception.StackTrace is { } stack ? TypeName(exception) + Environment.NewLine + stack : TypeName(exception);
        }
        catch (Exception)
        {
            return null;
        }
    }
}
