using OpenGrid.Coordinator.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddOpenGridCoordinator();

var app = builder.Build();
app.MapOpenGridEndpoints();
app.Run();

/// <summary>Entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
