/**
 * "Show Audit Log": the org's latest audit events as a read-only virtual
 * document (`switchboard-audit:` scheme), one readable line per event. The
 * command loads the text first, so a failure reaches the command boundary
 * instead of an empty editor; running it again refreshes the open document.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { ControlPlane, Session } from "../contracts";
import { taskKey } from "../views/format";
import { formatAuditLog } from "./auditFormat";
import { userMessage } from "../util/errors";
import { loadCards, loadPeople } from "./pickers";
import { orgIdOf, requireSession } from "./session";

export const AUDIT_SCHEME = "switchboard-audit";
/** `.log` so the editor colours timestamps and levels with its built-in log grammar. */
const AUDIT_URI = vscode.Uri.from({
  scheme: AUDIT_SCHEME,
  path: "/Switchboard Audit Log.log",
});
const EVENTS = 100;

async function loadAuditText(
  plane: ControlPlane,
  session: Session,
): Promise<string> {
  const [page, people, cards, orgs] = await Promise.all([
    plane.query(api.audit.list, {
      orgId: orgIdOf(session),
      paginationOpts: { numItems: EVENTS, cursor: null },
    }),
    loadPeople(plane, session),
    // Task events name tasks by id; the project's cards turn them into "SB-4 Title".
    loadCards(plane, session),
    plane.query(api.orgs.listMine, {}),
  ]);
  const names = new Map<string, string>();
  for (const person of people) names.set(person.id, person.name);
  for (const card of cards) {
    names.set(
      card._id,
      `${taskKey(session.projectKey, card.number)} ${card.title}`,
    );
  }
  const orgName =
    orgs.find((org) => org.orgId === session.orgId)?.name ?? session.orgId;
  return formatAuditLog(page.page, names, {
    orgName,
    loadedAt: Date.now(),
    hasMore: !page.isDone,
  });
}

class AuditDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private text: string | undefined;

  constructor(private readonly plane: ControlPlane) {}

  set(text: string): void {
    this.text = text;
    this.changed.fire(AUDIT_URI);
  }

  /** Also called when VS Code restores the document after a reload, before the command ran. */
  async provideTextDocumentContent(): Promise<string> {
    if (this.text !== undefined) return this.text;
    try {
      return await loadAuditText(this.plane, requireSession(this.plane));
    } catch (error) {
      return `# Could not load the audit log: ${userMessage(error)}\n`;
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerAuditLog(
  context: vscode.ExtensionContext,
  plane: ControlPlane,
) {
  const provider = new AuditDocumentProvider(plane);
  context.subscriptions.push(
    provider,
    vscode.workspace.registerTextDocumentContentProvider(
      AUDIT_SCHEME,
      provider,
    ),
  );
  return {
    "switchboard.showAuditLog": async () => {
      const session = requireSession(plane);
      provider.set(await loadAuditText(plane, session));
      const document = await vscode.workspace.openTextDocument(AUDIT_URI);
      await vscode.window.showTextDocument(document, { preview: true });
    },
  };
}
