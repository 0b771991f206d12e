namespace MultiRaft.Storage.Postgres;

/// <summary>
/// One step of the schema's history. Steps are applied in order, each once, in the transaction
/// that records it in <c>schema_version</c>; a released step is never edited, only followed by
/// a new one.
/// </summary>
/// <param name="Version">The version the schema is at once this step is applied (1, 2, ...).</param>
/// <param name="Description">What the step does, stored beside the version for operators.</param>
/// <param name="Sql">The step's statements for a given schema name.</param>
internal sealed record PostgresMigration(int Version, string Description, Func<string, string> Sql);
