namespace Traceline.Export;

/// <summary>
/// Orders a batch by resource and instrumentation scope, as <c>ExportTraceServiceRequest</c> nests them, without
/// allocating once its arrays have grown: each distinct (resource, scope) pair is a group, groups of one resource are
/// adjacent, spans keep their batch order inside a group.
/// </summary>
/// <remarks>Perf: a batch rarely holds more than a handful of groups, so a linear search beats a dictionary.</remarks>
internal sealed class OtlpBatchGrouping
{
    private Group[] _groups = new Group[8];
    private Resource[] _resources = new Resource[2];
    private int[] _groupOf = new int[64];
    private int[] _order = new int[64];
    private int _groupCount;
    private int _resourceCount;

    public int GroupCount => _groupCount;

    /// <summary>Gets the span indices in group order.</summary>
    public ReadOnlySpan<int> Order => _order;

    public ref readonly Group this[int index] => ref _groups[index];

    public void Build(ReadOnlySpan<Span> batch)
    {
        Array.Clear(_groups, 0, _groupCount);
        Array.Clear(_resources, 0, _resourceCount);
        _groupCount = 0;
        _resourceCount = 0;
        if (_groupOf.Length < batch.Length)
        {
            _groupOf = new int[Math.Max(batch.Length, _groupOf.Length * 2)];
            _order = new int[_groupOf.Length];
        }

        var last = -1;
        for (var i = 0; i < batch.Length; i++)
        {
            var tracer = batch[i]?.Tracer;
            if (tracer is null)
            {
                _groupOf[i] = -1; // non-recording spans carry nothing to export
                continue;
            }

            var resource = tracer.Provider.Resource;
            var scope = tracer.Scope;
            if (last < 0 || !ReferenceEquals(_groups[last].Scope, scope) || !ReferenceEquals(_groups[last].Resource, resource))
            {
                last = FindOrAdd(resource, scope);
            }

            _groupOf[i] = last;
            _groups[last].Count++;
        }

        // Stable sort of the groups by resource (insertion sort: few groups), then starts, then a counting sort of spans.
        Span<int> position = _groupCount <= 64 ? stackalloc int[_groupCount] : new int[_groupCount];
        for (var i = 1; i < _groupCount; i++)
        {
            var item = _groups[i];
            var j = i - 1;
            while (j >= 0 && _groups[j].ResourceIndex > item.ResourceIndex)
            {
                _groups[j + 1] = _groups[j];
                j--;
            }

            _groups[j + 1] = item;
        }

        var start = 0;
        for (var g = 0; g < _groupCount; g++)
        {
            _groups[g].Start = start;
            position[_groups[g].Id] = g;
            start += _groups[g].Count;
        }

        Span<int> cursor = _groupCount <= 64 ? stackalloc int[_groupCount] : new int[_groupCount];
        for (var g = 0; g < _groupCount; g++)
        {
            cursor[g] = _groups[g].Start;
        }

        for (var i = 0; i < batch.Length; i++)
        {
            if (_groupOf[i] >= 0)
            {
                _order[cursor[position[_groupOf[i]]]++] = i;
            }
        }
    }

    private int FindOrAdd(Resource resource, InstrumentationScope? scope)
    {
        for (var g = 0; g < _groupCount; g++)
        {
            if (ReferenceEquals(_groups[g].Scope, scope) && ReferenceEquals(_groups[g].Resource, resource))
            {
                return g;
            }
        }

        var resourceIndex = -1;
        for (var r = 0; r < _resourceCount; r++)
        {
            if (ReferenceEquals(_resources[r], resource))
            {
                resourceIndex = r;
                break;
            }
        }

        if (resourceIndex < 0)
        {
            if (_resourceCount == _resources.Length)
            {
                Array.Resize(ref _resources, _resources.Length * 2);
            }

            resourceIndex = _resourceCount;
            _resources[_resourceCount++] = resource;
        }

        if (_groupCount == _groups.Length)
        {
            Array.Resize(ref _groups, _groups.Length * 2);
        }

        _groups[_groupCount] = new Group { Id = _groupCount, Resource = resource, Scope = scope, ResourceIndex = resourceIndex };
        return _groupCount++;
    }

    /// <summary>One (resource, scope) pair and where its spans sit in <see cref="Order"/>.</summary>
    internal struct Group
    {
#pragma warning disable CA1051 // Plain storage.
        public int Id;
        public Resource Resource;
        public InstrumentationScope? Scope;
        public int ResourceIndex;
        public int Start;
        public int Count;
#pragma warning restore CA1051
    }
}
