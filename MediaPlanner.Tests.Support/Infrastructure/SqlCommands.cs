using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MediaPlanner.Tests.Infrastructure;

/// <summary>The text of every command EF sends to one database, from EF's diagnostic events (the app's own pipeline, untouched).</summary>
public sealed class SqlCommands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _dataSource;
    private readonly List<string> _texts = [];
    private readonly List<IDisposable> _subscriptions = [];

    public SqlCommands(string dataSource)
    {
        _dataSource = dataSource;
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public void Clear()
    {
        lock (_texts)
            _texts.Clear();
    }

    public int Count(Func<string, bool> match)
    {
        lock (_texts)
            return _texts.Count(match);
    }

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            lock (_subscriptions)
                _subscriptions.Add(listener.Subscribe(this));
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != RelationalEventId.CommandExecuting.Name || value.Value is not CommandEventData { Command: var command })
            return;
        if (command.Connection is SqliteConnection connection && new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource == _dataSource)
            lock (_texts)
                _texts.Add(command.CommandText);
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_subscriptions)
            foreach (var subscription in _subscriptions)
                subscription.Dispose();
    }
}
