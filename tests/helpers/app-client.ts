/** A client of the mini-app API that keeps cookies like a browser and sends the CSRF token. */
export class AppClient {
  private readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(readonly baseUrl: string) {}

  /** Stores the cookies of a response; an expired or emptied cookie is dropped. */
  keepCookies(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /expires=thu, 01 jan 1970/i.test(a.trim()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  async request(
    path: string,
    init: { method?: string; body?: unknown; csrf?: boolean; redirect?: 'follow' | 'manual' } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.csrf !== false && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers,
      redirect: init.redirect ?? 'follow',
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    this.keepCookies(response);
    return response;
  }

  async json<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }> {
    const response = await this.request(path);
    return { status: response.status, body: (await response.json()) as T };
  }

  /** Signs in through the sandbox as `personId` and loads the CSRF token from /api/me. */
  async signInAs(personId: string): Promise<void> {
    const response = await this.request('/api/auth/sandbox', {
      method: 'POST',
      body: { personId },
      csrf: false,
    });
    if (response.status !== 200) throw new Error(`sandbox sign-in: ${response.status}`);
    const me = await this.json<{ csrfToken: string }>('/api/me');
    this.csrfToken = me.body.csrfToken;
  }
}
