/**
 * The page's texts in German (the default) and English, one dictionary per language,
 * and the formatting of dates and numbers for the chosen language. Every string the
 * page shows comes from here; a test checks that both languages have the same keys.
 *
 * @module i18n
 */

export const LANGUAGES = Object.freeze(["de", "en"]);
export const DEFAULT_LANGUAGE = "de";

/** @type {Readonly<Record<string, Readonly<Record<string, string>>>>} */
export const MESSAGES = Object.freeze({
  de: Object.freeze({
    "app.title": "Dokumente prüfen – govchain",
    "app.heading": "Dokument prüfen",
    "app.tagline": "Beglaubigungsdienst der Kommunen",
    "skip": "Zum Inhalt springen",
    "lang.switch": "English",
    "lang.switch.label": "Switch to English",
    "intro": "Prüfen Sie, ob ein Dokument von einer Behörde beglaubigt wurde und ob es noch gültig ist. Ihre Datei verlässt Ihr Gerät nicht: Der Browser berechnet nur ihren Fingerabdruck (SHA-256), und nur dieser wird abgefragt.",
    "document.heading": "1. Dokument",
    "document.label": "Dokument auswählen",
    "document.hint": "Oder ziehen Sie die Datei in diesen Bereich. Die Datei wird nicht hochgeladen.",
    "receipt.heading": "2. Quittung (optional)",
    "receipt.label": "Quittung auswählen (*.govchain.json)",
    "receipt.hint": "Eine Quittung wird vollständig in Ihrem Browser gegen die Blockchain geprüft, unabhängig vom Notar-Dienst.",
    "dropzone.active": "Datei hier ablegen",
    "link.expected": "Dieser Link gehört zum Fingerabdruck {digest}.",
    "link.unchecked": "Ihr Papier wurde NICHT geprüft.",
    "link.howto": "Der Link (oder QR-Code) zeigt nur, was zu diesem Fingerabdruck beglaubigt wurde; er lässt sich auf jedes Papier kopieren. Um das Dokument zu prüfen, wählen Sie oben die Datei des Dokuments aus (zum Beispiel das PDF, das Sie vom Aussteller erhalten haben): Nur sie beweist, dass der Inhalt unverändert ist. Haben Sie nur das Papier, vergleichen Sie es mit den Angaben des Ausstellers unten und fragen Sie im Zweifel beim Aussteller nach.",
    "link.invalid": "Der Link enthält keinen gültigen Fingerabdruck.",
    "results.heading": "Ergebnis",
    "results.empty": "Noch keine Prüfung. Wählen Sie ein Dokument oder eine Quittung aus.",
    "hashing": "Fingerabdruck von „{name}“ wird berechnet …",
    "digest.label": "Fingerabdruck (SHA-256)",
    "digest.file": "Datei",
    "digest.matches": "Das Dokument passt zum Link.",
    "digest.differs": "Das Dokument passt NICHT zum Link: Es hat einen anderen Fingerabdruck.",
    "lookup.heading": "Beglaubigungen beim Notar-Dienst",
    "lookup.loading": "Beglaubigungen werden abgefragt …",
    "lookup.none": "Zu diesem Fingerabdruck ist keine Beglaubigung bekannt. Das Dokument wurde nicht beglaubigt oder es wurde verändert.",
    "lookup.error": "Der Notar-Dienst ist nicht erreichbar oder hat nicht wie erwartet geantwortet ({detail}).",
    "lookup.found.one": "1 Beglaubigung gefunden.",
    "lookup.found.many": "{count} Beglaubigungen gefunden.",
    "entry.heading": "Beglaubigung {n}",
    "field.issuer": "Aussteller",
    "field.ags": "Amtlicher Gemeindeschlüssel",
    "field.issuerAddress": "Konto des Ausstellers",
    "field.kind": "Art",
    "field.anchored": "Verankert am",
    "field.block": "Block",
    "field.status": "Status",
    "field.receiptId": "Quittungsnummer",
    "field.unknown": "unbekannt",
    "kind.certificate": "Bescheinigung oder Urkunde",
    "kind.register": "Registerauszug",
    "kind.iot": "Messwerte (IoT)",
    "kind.dataset": "Datensatz",
    "state.valid": "gültig",
    "state.suspended": "ausgesetzt",
    "state.revoked": "widerrufen",
    "state.superseded": "ersetzt",
    "state.pending": "noch nicht verankert (wird in Kürze in der Blockchain festgehalten)",
    "state.since": "{state} seit {date}",
    "steps.heading": "Prüfschritte im Browser, gegen die Blockchain",
    "step.format": "Format",
    "step.inclusion": "Aufnahme in das Protokoll des Ausstellers",
    "step.anchor": "Verankerung in der Blockchain",
    "step.issuer": "Aussteller und Status",
    "stepstatus.passed": "bestanden",
    "stepstatus.failed": "nicht bestanden",
    "stepstatus.error": "Fehler",
    "stepstatus.skipped": "übersprungen",
    "code.format_ok": "Quittung Version 1 für den Fingerabdruck {digest}.",
    "code.document_mismatch": "Das Dokument passt nicht zu dieser Quittung.",
    "code.inclusion_ok": "Enthalten als Eintrag Nr. {number} von {size} im Protokoll des Ausstellers.",
    "code.inclusion_rejected": "Der Nachweis der Aufnahme in das Protokoll ist ungültig.",
    "code.anchor_ok": "Verankert in Block {block} am {date}.",
    "code.wrong_chain": "Der Knoten gehört zu einer anderen Blockchain (Kennung {node} statt {receipt}).",
    "code.no_checkpoint": "Dieser Stand des Protokolls ist nicht in der Blockchain verankert.",
    "code.root_differs": "Der verankerte Wurzelwert weicht von der Quittung ab.",
    "code.block_number_differs": "Die Blocknummer weicht von der Quittung ab (Blockchain: {chain}, Quittung: {receipt}; Feld /anchor/block_number).",
    "code.timestamp_differs": "Der Zeitstempel des Blocks weicht von der Quittung ab (Blockchain: {chain}, Quittung: {receipt}; Feld /anchor/timestamp).",
    "code.registry_untrusted": "Die Quittung nennt einen anderen Verankerungsvertrag als den des Verbunds (Feld /anchor/registry).",
    "code.tx_unknown": "Die in der Quittung genannte Transaktion gibt es nicht (Feld /anchor/tx_hash).",
    "code.tx_failed": "Die Verankerungstransaktion ist fehlgeschlagen (Feld /anchor/tx_hash).",
    "code.tx_wrong_registry": "Die Transaktion ging nicht an den Verankerungsvertrag (Feld /anchor/registry).",
    "code.tx_no_event": "Die Transaktion hat diesen Stand des Protokolls nicht verankert (Feld /anchor/tx_hash).",
    "code.block_hash_differs": "Der Block in der Blockchain weicht von der Quittung ab.",
    "code.issuer_ok": "Ausgestellt von {name} ({ags}); Status heute: gültig.",
    "code.issuer_unknown": "Der Aussteller ist im Verbund nicht registriert.",
    "code.issuer_not_trusted": "Der Aussteller war zum Zeitpunkt der Verankerung nicht zugelassen.",
    "code.kind_not_allowed": "Der Aussteller darf Dokumente dieser Art nicht ausstellen.",
    "code.status_suspended": "Das Dokument ist seit {date} ausgesetzt.",
    "code.status_revoked": "Das Dokument wurde am {date} widerrufen.",
    "code.status_superseded": "Das Dokument wurde am {date} durch ein neueres ersetzt.",
    "code.chain_unreadable": "Die Blockchain konnte nicht gelesen werden ({detail}).",
    "code.skipped": "Übersprungen, weil ein vorheriger Schritt nicht bestanden wurde.",
    "verdict.valid": "Gültig: Das Dokument ist beglaubigt, verankert und gültig.",
    "verdict.not_valid": "Nicht gültig: {reason}",
    "verdict.could_not_check": "Prüfung nicht möglich: {reason}",
    "verdict.record_only": "Nur der Eintrag wurde geprüft, nicht Ihr Dokument: Ein Dokument mit diesem Fingerabdruck wurde von {issuer} am {date} beglaubigt (Art: {kind}; Status heute: {status}). Ob das Papier in Ihrer Hand dieses Dokument ist, wurde NICHT geprüft. Wählen Sie die Datei des Dokuments aus, um es zu prüfen.",
    "receiptfile.heading": "Quittung „{name}“",
    "receiptfile.invalid": "Die Quittung ist fehlerhaft und wurde nicht geprüft: {detail}",
    "receiptfile.field": "Feld {field}",
    "receiptfile.version": "Diese Quittungsversion wird nicht unterstützt ({detail}).",
    "receiptfile.otherlink": "Die Quittung gehört zu einem anderen Fingerabdruck als der Link.",
    "description.heading": "Angaben des Ausstellers",
    "description.caption": "Bei der Beglaubigung hinterlegt und durch die Beglaubigung bestätigt. Vergleichen Sie sie mit Ihrem Papier.",
    "description.title": "Bezeichnung",
    "description.reference": "Aktenzeichen",
    "share.heading": "Prüflink und QR-Code",
    "share.text": "Mit diesem Link oder QR-Code öffnet sich diese Seite für den Fingerabdruck des Dokuments. Aussteller können den QR-Code auf das Dokument drucken.",
    "share.link": "Prüflink",
    "share.download": "QR-Code als SVG-Datei herunterladen",
    "share.print": "QR-Code drucken",
    "qr.title": "QR-Code des Prüflinks {link}",
    "settings.heading": "Einstellungen für Fachleute",
    "settings.notary": "Adresse des Notar-Dienstes",
    "settings.rpc": "Adresse eines Blockchain-Knotens (JSON-RPC)",
    "settings.status": "Adresse des Vertrags StatusRegistry",
    "settings.apply": "Übernehmen",
    "settings.applied": "Einstellungen übernommen.",
    "settings.invalid": "Bitte geben Sie eine gültige Adresse ein: {field}",
    "footer.privacy": "Datenschutz: Dateien werden ausschließlich in Ihrem Browser verarbeitet. An den Notar-Dienst wird nur der Fingerabdruck gesendet; Quittungen werden direkt bei einem Knoten der Blockchain geprüft.",
    "error.generic": "Unerwarteter Fehler: {detail}",
    "error.receipt": "Der Notar-Dienst hat eine fehlerhafte Quittung geliefert ({detail}).",
  }),
  en: Object.freeze({
    "app.title": "Verify documents – govchain",
    "app.heading": "Verify a document",
    "app.tagline": "Notarisation service of the municipalities",
    "skip": "Skip to content",
    "lang.switch": "Deutsch",
    "lang.switch.label": "Auf Deutsch umschalten",
    "intro": "Check whether a document was notarised by an authority and whether it is still valid. Your file never leaves your device: the browser only computes its fingerprint (SHA-256), and only that is looked up.",
    "document.heading": "1. Document",
    "document.label": "Choose a document",
    "document.hint": "Or drag the file into this area. The file is not uploaded.",
    "receipt.heading": "2. Receipt (optional)",
    "receipt.label": "Choose a receipt (*.govchain.json)",
    "receipt.hint": "A receipt is checked entirely in your browser against the blockchain, independently of the notary service.",
    "dropzone.active": "Drop the file here",
    "link.expected": "This link belongs to the fingerprint {digest}.",
    "link.unchecked": "Your paper has NOT been checked.",
    "link.howto": "The link (or QR code) only shows what was notarised under this fingerprint; it can be copied onto any paper. To check the document, choose its file above (for example the PDF you received from the issuer): only the file proves that the content is unchanged. If you only have the paper, compare it with the issuer's details below and ask the issuer when in doubt.",
    "link.invalid": "The link does not contain a valid fingerprint.",
    "results.heading": "Result",
    "results.empty": "Nothing checked yet. Choose a document or a receipt.",
    "hashing": "Computing the fingerprint of “{name}” …",
    "digest.label": "Fingerprint (SHA-256)",
    "digest.file": "File",
    "digest.matches": "The document matches the link.",
    "digest.differs": "The document does NOT match the link: its fingerprint differs.",
    "lookup.heading": "Notarisations known to the notary service",
    "lookup.loading": "Looking up notarisations …",
    "lookup.none": "No notarisation is known for this fingerprint. The document was not notarised or it has been modified.",
    "lookup.error": "The notary service is unreachable or did not answer as expected ({detail}).",
    "lookup.found.one": "1 notarisation found.",
    "lookup.found.many": "{count} notarisations found.",
    "entry.heading": "Notarisation {n}",
    "field.issuer": "Issuer",
    "field.ags": "Official municipality key (AGS)",
    "field.issuerAddress": "Issuer account",
    "field.kind": "Kind",
    "field.anchored": "Anchored on",
    "field.block": "Block",
    "field.status": "Status",
    "field.receiptId": "Receipt number",
    "field.unknown": "unknown",
    "kind.certificate": "Certificate",
    "kind.register": "Register extract",
    "kind.iot": "Sensor readings (IoT)",
    "kind.dataset": "Dataset",
    "state.valid": "valid",
    "state.suspended": "suspended",
    "state.revoked": "revoked",
    "state.superseded": "superseded",
    "state.pending": "not anchored yet (it will be recorded on the blockchain shortly)",
    "state.since": "{state} since {date}",
    "steps.heading": "Verification steps in the browser, against the blockchain",
    "step.format": "Format",
    "step.inclusion": "Inclusion in the issuer's log",
    "step.anchor": "Anchored on the blockchain",
    "step.issuer": "Issuer and status",
    "stepstatus.passed": "passed",
    "stepstatus.failed": "failed",
    "stepstatus.error": "error",
    "stepstatus.skipped": "skipped",
    "code.format_ok": "Receipt version 1 for the fingerprint {digest}.",
    "code.document_mismatch": "The document does not match this receipt.",
    "code.inclusion_ok": "Included as entry no. {number} of {size} in the issuer's log.",
    "code.inclusion_rejected": "The proof of inclusion in the log is invalid.",
    "code.anchor_ok": "Anchored in block {block} on {date}.",
    "code.wrong_chain": "The node serves another blockchain (id {node} instead of {receipt}).",
    "code.no_checkpoint": "This state of the log is not anchored on the blockchain.",
    "code.root_differs": "The anchored root differs from the receipt's.",
    "code.block_number_differs": "The block number differs from the receipt's (chain: {chain}, receipt: {receipt}; field /anchor/block_number).",
    "code.timestamp_differs": "The block's timestamp differs from the receipt's (chain: {chain}, receipt: {receipt}; field /anchor/timestamp).",
    "code.registry_untrusted": "The receipt names another anchoring contract than the consortium's (field /anchor/registry).",
    "code.tx_unknown": "The transaction the receipt names does not exist (field /anchor/tx_hash).",
    "code.tx_failed": "The anchoring transaction failed (field /anchor/tx_hash).",
    "code.tx_wrong_registry": "The transaction was not sent to the anchoring contract (field /anchor/registry).",
    "code.tx_no_event": "The transaction did not anchor this state of the log (field /anchor/tx_hash).",
    "code.block_hash_differs": "The block on the blockchain differs from the receipt's.",
    "code.issuer_ok": "Issued by {name} ({ags}); status today: valid.",
    "code.issuer_unknown": "The issuer is not registered in the consortium.",
    "code.issuer_not_trusted": "The issuer was not admitted when the log was anchored.",
    "code.kind_not_allowed": "The issuer may not issue documents of this kind.",
    "code.status_suspended": "The document has been suspended since {date}.",
    "code.status_revoked": "The document was revoked on {date}.",
    "code.status_superseded": "The document was superseded by a newer one on {date}.",
    "code.chain_unreadable": "The blockchain could not be read ({detail}).",
    "code.skipped": "Skipped because an earlier step did not pass.",
    "verdict.valid": "Valid: the document is notarised, anchored and valid.",
    "verdict.not_valid": "Not valid: {reason}",
    "verdict.could_not_check": "Check not possible: {reason}",
    "verdict.record_only": "Only the record was checked, not your document: a document with this fingerprint was notarised by {issuer} on {date} (kind: {kind}; status today: {status}). Whether the paper in your hand is this document has NOT been checked. Choose the document's file to check it.",
    "receiptfile.heading": "Receipt “{name}”",
    "receiptfile.invalid": "The receipt is malformed and was not checked: {detail}",
    "receiptfile.field": "field {field}",
    "receiptfile.version": "This receipt version is not supported ({detail}).",
    "receiptfile.otherlink": "The receipt belongs to another fingerprint than the link.",
    "description.heading": "Issuer's details",
    "description.caption": "Given at notarisation and confirmed by the notarisation. Compare them with your paper.",
    "description.title": "Title",
    "description.reference": "Reference number",
    "share.heading": "Verification link and QR code",
    "share.text": "This link or QR code opens this page for the document's fingerprint. Issuers can print the QR code on the document.",
    "share.link": "Verification link",
    "share.download": "Download the QR code as an SVG file",
    "share.print": "Print the QR code",
    "qr.title": "QR code of the verification link {link}",
    "settings.heading": "Settings for experts",
    "settings.notary": "Address of the notary service",
    "settings.rpc": "Address of a blockchain node (JSON-RPC)",
    "settings.status": "Address of the StatusRegistry contract",
    "settings.apply": "Apply",
    "settings.applied": "Settings applied.",
    "settings.invalid": "Please enter a valid address: {field}",
    "footer.privacy": "Privacy: files are processed only in your browser. Only the fingerprint is sent to the notary service; receipts are checked directly with a node of the blockchain.",
    "error.generic": "Unexpected error: {detail}",
    "error.receipt": "The notary service delivered a malformed receipt ({detail}).",
  }),
});

/**
 * The language to start in: a supported `lang` stored earlier, else German.
 * @param {string | null | undefined} stored
 * @returns {string}
 */
export function initialLanguage(stored) {
  return stored && LANGUAGES.includes(stored) ? stored : DEFAULT_LANGUAGE;
}

/**
 * A translator for one language: `t(key, {name: value})` fills `{name}` placeholders.
 * Unknown keys are returned as they are, so a missing text is visible, never blank.
 * @param {string} language
 * @returns {(key: string, values?: Record<string, string | number>) => string}
 */
export function translator(language) {
  const messages = MESSAGES[language] ?? MESSAGES[DEFAULT_LANGUAGE];
  return (key, values = {}) => {
    const template = messages[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
  };
}

/**
 * A Unix time as a date and time in the municipalities' time zone.
 * @param {number} seconds
 * @param {string} language
 * @returns {string}
 */
export function formatTime(seconds, language) {
  return new Intl.DateTimeFormat(language === "de" ? "de-DE" : "en-GB", {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "Europe/Berlin",
  }).format(new Date(seconds * 1000)) + (language === "de" ? " Uhr" : "");
}

/**
 * @param {number} value
 * @param {string} language
 * @returns {string}
 */
export function formatInteger(value, language) {
  return new Intl.NumberFormat(language === "de" ? "de-DE" : "en-GB").format(value);
}
