export function ForbiddenPage({ page, known }: { page: string; known: boolean }) {
  return (
    <section aria-labelledby="forbidden-title" class="notice">
      <h1 id="forbidden-title">{known ? 'Forbidden' : 'No such page'}</h1>
      <p data-testid="forbidden">
        {known
          ? `Your roles do not allow the “${page}” page. Ask an administrator for access.`
          : `There is no page “${page}”.`}
      </p>
      <p>
        <a href="#/">Back to the start page</a>
      </p>
    </section>
  );
}
