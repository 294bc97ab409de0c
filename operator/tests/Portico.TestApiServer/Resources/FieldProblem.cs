namespace Portico.TestApiServer.Resources;

/// <summary>One validation failure, reported as a cause of a 422 Invalid Status (reason FieldValueInvalid etc.).</summary>
internal sealed record FieldProblem(string Field, string Reason, string Message);
