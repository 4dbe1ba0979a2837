export interface SandboxPerson {
  id: string;
  employeeNo: string;
  name: string;
  role: 'engineer' | 'manager' | 'hr';
  regionCode: string | null;
}

export interface SandboxMessage {
  id: string;
  to: string;
  cardKey: string;
  version: number;
  card: {
    title: string;
    footer?: string;
    actions: { id: string; label: string; payload?: Record<string, string> }[];
    inputs?: { name: string; type: string; options?: { value: string; label: string }[] }[];
    blocks: unknown[];
  };
}

/** A client of the sandbox chat's JSON API. */
export class SandboxClient {
  constructor(private readonly baseUrl: string) {}

  async people(): Promise<SandboxPerson[]> {
    const response = await fetch(`${this.baseUrl}/sandbox/api/people`);
    if (!response.ok) throw new Error(`people: ${response.status}`);
    return ((await response.json()) as { items: SandboxPerson[] }).items;
  }

  async messages(to: string): Promise<SandboxMessage[]> {
    const response = await fetch(`${this.baseUrl}/sandbox/api/messages?to=${to}`);
    if (!response.ok) throw new Error(`messages: ${response.status}`);
    return ((await response.json()) as { items: SandboxMessage[] }).items;
  }

  async click(
    messageId: string,
    actionId: string,
    as: string,
    values: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(
      `${this.baseUrl}/sandbox/api/messages/${messageId}/actions/${actionId}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ as, values }),
      },
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
}
