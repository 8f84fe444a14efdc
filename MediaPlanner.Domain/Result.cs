namespace MediaPlanner.Domain;

/// <summary>How a command someone asked for ended.</summary>
public enum ResultStatus
{
    /// <summary>It was done.</summary>
    Done,
    /// <summary>The input was refused; <see cref="Result.Errors"/> says where and why.</summary>
    Invalid,
    /// <summary>Someone else changed the record since it was read; reload and try again.</summary>
    Conflict,
    /// <summary>The input was fine but a rule forbids the action now (e.g. an example with blocking errors).</summary>
    Blocked,
    /// <summary>The record no longer exists.</summary>
    NotFound,
}

/// <summary>
/// The outcome of a command a person asked for (save a brief, create a user, start a job, deploy a model…): a status, a
/// message to show, and problems keyed by the form field they belong to (<see cref="Form"/> for the form as a whole), so a
/// page can put each message at its field. Every service that answers a form returns this type; results that carry data
/// (a generated column, a page of rows) keep their own records.
/// </summary>
public record Result(ResultStatus Status, string Message, IReadOnlyDictionary<string, string> Errors)
{
    /// <summary>The key of a problem with the form as a whole rather than one field.</summary>
    public const string Form = "";

    private static readonly IReadOnlyDictionary<string, string> NoErrors = new Dictionary<string, string>();

    public bool Succeeded => Status == ResultStatus.Done;

    /// <summary>The message for one field, or null when that field is fine.</summary>
    public string? ErrorFor(string field) => Errors.GetValueOrDefault(field);

    /// <summary>Lets callers that only need the two facts write <c>var (ok, message) = await …</c>.</summary>
    public void Deconstruct(out bool succeeded, out string message) => (succeeded, message) = (Succeeded, Message);

    public static Result Ok(string message = "") => new(ResultStatus.Done, message, NoErrors);

    /// <summary>Refused input: one message per field. The message shown beside the form is the first problem's.</summary>
    public static Result Invalid(IReadOnlyDictionary<string, string> errors, string? message = null) =>
        new(ResultStatus.Invalid, message ?? FirstOf(errors), errors);

    /// <summary>One problem at one field (or <see cref="Form"/>), with a status other than Done.</summary>
    public static Result Fail(string field, string message, ResultStatus status = ResultStatus.Invalid) =>
        new(status, message, One(field, message));

    /// <summary>A problem with the whole action (conflict, not found, blocked), kept under <see cref="Form"/>.</summary>
    public static Result Problem(ResultStatus status, string message) => Fail(Form, message, status);

    private protected static IReadOnlyDictionary<string, string> One(string field, string message) =>
        new Dictionary<string, string> { [field] = message };

    private protected static string FirstOf(IReadOnlyDictionary<string, string> errors) =>
        errors.Count == 0 ? "" : errors.First().Value;

    private protected static IReadOnlyDictionary<string, string> Empty => NoErrors;
}

/// <summary>A <see cref="Result"/> that, when it succeeded, carries what was made (a new brief's id, a job's id…).</summary>
public sealed record Result<T>(ResultStatus Status, string Message, IReadOnlyDictionary<string, string> Errors, T? Value)
    : Result(Status, Message, Errors)
{
    public static Result<T> Ok(T value, string message = "") => new(ResultStatus.Done, message, Empty, value);

    public static new Result<T> Invalid(IReadOnlyDictionary<string, string> errors, string? message = null) =>
        new(ResultStatus.Invalid, message ?? FirstOf(errors), errors, default);

    public static new Result<T> Fail(string field, string message, ResultStatus status = ResultStatus.Invalid) =>
        new(status, message, One(field, message), default);

    public static new Result<T> Problem(ResultStatus status, string message) => Fail(Form, message, status);
}
