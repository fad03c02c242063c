//! Corrections through the API: edit, delete, merge, retract, undo; each refused input
//! changes nothing, each delete can be undone, and the export keeps it all.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::support::{demo, get, json_req, send};

fn with_method(method: &str, uri: &str, body: serde_json::Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn delete(uri: &str) -> Request<Body> {
    Request::delete(uri).body(Body::empty()).unwrap()
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn contacts_are_edited_deleted_and_restored_through_the_api() {
    let s = demo();
    // Every field of the form, "" clearing.
    let (st, body, _) = send(
        &s,
        with_method(
            "PATCH",
            "/api/v1/contacts/Dana%20Reyes",
            serde_json::json!({"email": ["dana@northwind.example", "dana@home.example"], "birthday": "1990-04-02", "company": "Northwind", "notes": ""}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let dana = json(&body);
    assert_eq!(dana["emails"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(dana["birthday"], "1990-04-02");
    let id = dana["id"].as_i64().unwrap();

    // A bad field names itself in the API's words and changes nothing.
    let before = get(&s, &format!("/api/v1/contacts/{id}")).await.1;
    let (st, body, _) = send(
        &s,
        with_method(
            "PATCH",
            &format!("/api/v1/contacts/{id}"),
            serde_json::json!({"name": "Dana", "birthday": "someday"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("\"message\":\"birthday: "), "{body}");
    assert_eq!(get(&s, &format!("/api/v1/contacts/{id}")).await.1, before);

    // Deleted: gone from lists, the agenda and lookups; the answer says how to undo.
    let (_, agenda_before) = get(&s, "/api/v1/agenda?until=2027-12-31").await;
    assert!(
        agenda_before.contains(&format!("\"contact\":{{\"id\":{id},")),
        "{agenda_before}"
    );
    let (st, body, _) = send(&s, delete(&format!("/api/v1/contacts/{id}"))).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let gone = json(&body);
    assert_eq!(gone["undo"], format!("restore-contact:{id}"));
    let (st, _) = get(&s, &format!("/api/v1/contacts/{id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, agenda_without) = get(&s, "/api/v1/agenda?until=2027-12-31").await;
    assert!(!agenda_without.contains(&format!("\"contact\":{{\"id\":{id},")));
    let (_, contacts) = get(&s, "/api/v1/contacts").await;
    assert!(!contacts.contains("Dana Reyes"));
    let (_, trash) = get(&s, "/api/v1/trash").await;
    assert!(
        trash.contains("Dana Reyes") && trash.contains("\"why\":\"deleted\""),
        "{trash}"
    );
    // Deleting again is a 404, not a 500.
    let (st, body, _) = send(&s, delete(&format!("/api/v1/contacts/{id}"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");

    // Undo brings back the contact and the agenda as it was.
    let (st, body, _) = send(
        &s,
        json_req("/api/v1/undo", serde_json::json!({"undo": gone["undo"]})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("is back"), "{body}");
    let (_, agenda_after) = get(&s, "/api/v1/agenda?until=2027-12-31").await;
    assert_eq!(agenda_after, agenda_before);
    // An undo twice, or one this program never wrote, is refused.
    let (st, _, _) = send(
        &s,
        json_req("/api/v1/undo", serde_json::json!({"undo": gone["undo"]})),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, body, _) = send(
        &s,
        json_req("/api/v1/undo", serde_json::json!({"undo": "drop-table:1"})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("undo: "), "{body}");
}

#[tokio::test]
async fn jobs_and_touches_are_corrected_and_retracted_through_the_api() {
    let s = demo();
    let (_, jobs) = get(&s, "/api/v1/jobs").await;
    let job = json(&jobs)[0].clone();
    let jid = job["id"].as_i64().unwrap();
    let (st, body, _) = send(
        &s,
        with_method(
            "PATCH",
            &format!("/api/v1/jobs/{jid}"),
            serde_json::json!({"title": "Staff Data Engineer", "url": "https://jobs.example/1", "response_time": "2 weeks"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("Staff Data Engineer"), "{body}");
    let (st, body, _) = send(
        &s,
        with_method(
            "PATCH",
            &format!("/api/v1/jobs/{jid}"),
            serde_json::json!({"stage": "sideways"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("stage: "), "{body}");

    // A touch corrected, then retracted, then restored.
    let (_, view) = get(&s, &format!("/api/v1/jobs/{jid}")).await;
    let view = json(&view);
    let touch = view["timeline"][0].clone();
    let tid = touch["id"].as_i64().unwrap();
    let (st, body, _) = send(
        &s,
        with_method(
            "PATCH",
            &format!("/api/v1/touches/{tid}"),
            serde_json::json!({"note": "sent through the referral portal"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body.contains("referral portal"), "{body}");
    let (st, body, _) = send(
        &s,
        with_method(
            "PATCH",
            &format!("/api/v1/touches/{tid}"),
            serde_json::json!({"on": "tomorrow"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("on: "), "{body}");
    let (st, body, _) = send(&s, delete(&format!("/api/v1/touches/{tid}"))).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(json(&body)["undo"], format!("restore-touch:{tid}"));
    let (_, after) = get(&s, &format!("/api/v1/jobs/{jid}")).await;
    assert!(!after.contains("referral portal"));
    send(
        &s,
        json_req(
            "/api/v1/undo",
            serde_json::json!({"undo": format!("restore-touch:{tid}")}),
        ),
    )
    .await;
    let (_, back) = get(&s, &format!("/api/v1/jobs/{jid}")).await;
    assert!(back.contains("referral portal"));

    // A deleted job takes its touches; undo restores both.
    let (st, body, _) = send(&s, delete(&format!("/api/v1/jobs/{jid}"))).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let undo = json(&body)["undo"].clone();
    let (st, _) = get(&s, &format!("/api/v1/jobs/{jid}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    send(
        &s,
        json_req("/api/v1/undo", serde_json::json!({"undo": undo})),
    )
    .await;
    let (_, restored) = get(&s, &format!("/api/v1/jobs/{jid}")).await;
    assert_eq!(json(&restored)["timeline"], json(&back)["timeline"]);
}

#[tokio::test]
async fn a_duplicate_is_merged_into_the_one_that_was_there() {
    let s = demo();
    let dana = json(&get(&s, "/api/v1/contacts/Dana%20Reyes").await.1)["contact"]["id"].clone();
    let (st, body, _) = send(
        &s,
        json_req(
            "/api/v1/contacts",
            serde_json::json!({"name": "dana reyes", "phone": "+1 555 0142", "allow_duplicate": true}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let dup = json(&body)["id"].as_i64().unwrap();
    let (st, body, _) = send(
        &s,
        json_req(
            &format!("/api/v1/contacts/{dup}/merge"),
            serde_json::json!({"into": dana.to_string()}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let merged = json(&body);
    assert_eq!(merged["contact"]["name"], "Dana Reyes");
    assert!(
        merged["contact"]["phones"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "+1 555 0142"),
        "{body}"
    );
    let (st, _) = get(&s, &format!("/api/v1/contacts/{dup}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Merging a contact into itself is refused, in words.
    let (st, body, _) = send(
        &s,
        json_req(
            "/api/v1/contacts/Dana%20Reyes/merge",
            serde_json::json!({"into": "Dana Reyes"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("same contact"), "{body}");
}

#[tokio::test]
async fn every_new_route_is_in_the_openapi_document() {
    let s = demo();
    let (_, doc) = get(&s, "/openapi.json").await;
    let doc = json(&doc);
    for (path, method) in [
        ("/api/v1/contacts/{id}", "patch"),
        ("/api/v1/contacts/{id}", "delete"),
        ("/api/v1/contacts/{id}/merge", "post"),
        ("/api/v1/jobs/{id}", "patch"),
        ("/api/v1/jobs/{id}", "delete"),
        ("/api/v1/touches/{id}", "patch"),
        ("/api/v1/touches/{id}", "delete"),
        ("/api/v1/undo", "post"),
        ("/api/v1/trash", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    assert!(doc["components"]["schemas"]["ContactPatchBody"].is_object());
    assert!(doc["components"]["schemas"]["JobPatchBody"].is_object());
    // The response schemas hold against what the API really answers: every property a schema
    // requires is in a real record, and every property a record has is one the schema names.
    let contact = json(&get(&s, "/api/v1/contacts/1").await.1)["contact"].clone();
    let job = json(&get(&s, "/api/v1/jobs/1").await.1)["job"].clone();
    let touch = json(&get(&s, "/api/v1/jobs/1").await.1)["timeline"][0].clone();
    for (name, record) in [("Contact", contact), ("Job", job), ("Touch", touch)] {
        let schema = &doc["components"]["schemas"][name];
        let props = schema["properties"].as_object().unwrap();
        for r in schema["required"].as_array().unwrap() {
            assert!(
                record.get(r.as_str().unwrap()).is_some(),
                "{name} lacks {r}"
            );
        }
        for k in record.as_object().unwrap().keys() {
            let known = props.contains_key(k)
                || (name == "Touch" && ["answers", "poor_fit", "promises"].contains(&k.as_str()))
                || (name == "Contact" && k == "cadence_start");
            assert!(known, "{name}.{k} is not in the schema");
            // A vocabulary's word (stage, kind, tier...) is one the schema lists.
            let prop = &props.get(k).unwrap_or(&serde_json::Value::Null);
            let listed = prop["enum"].as_array().or_else(|| {
                prop["oneOf"]
                    .as_array()?
                    .iter()
                    .find_map(|s| s["enum"].as_array())
            });
            if let (Some(words), Some(v)) = (listed, record[k].as_str()) {
                assert!(
                    words.iter().any(|w| w == v),
                    "{name}.{k} = {v:?}, not in {words:?}"
                );
            }
        }
    }
    let with_words = |schema: &str, prop: &str| {
        let p = &doc["components"]["schemas"][schema]["properties"][prop];
        let list = p["enum"]
            .as_array()
            .or_else(|| p["oneOf"][0]["enum"].as_array())
            .unwrap_or_else(|| panic!("{schema}.{prop} lists no words: {p}"));
        list.len()
    };
    assert_eq!(with_words("StageBody", "stage"), 8);
    assert_eq!(with_words("NewJobBody", "stage"), 4);
    assert_eq!(with_words("TouchBody", "kind"), 13);
    assert_eq!(with_words("Touch", "direction"), 4);
    assert_eq!(with_words("NewContactBody", "tier"), 3);
    assert_eq!(
        doc["paths"]["/api/v1/import/{kind}"]["post"]["parameters"][0]["schema"]["enum"],
        serde_json::json!(["linkedin", "vcard"])
    );
    assert_eq!(
        doc["paths"]["/api/v1/contacts/{id}"]["delete"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/RemovedContact"
    );
}

fn location(h: &axum::http::HeaderMap) -> String {
    h.get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The Undo form's token on a page.
fn undo_token(page: &str) -> String {
    let at = page
        .find("name=\"undo\" value=\"")
        .unwrap_or_else(|| panic!("no Undo button: {page}"));
    let rest = &page[at + "name=\"undo\" value=\"".len()..];
    rest[..rest.find('"').unwrap()]
        .replace("&#58;", ":")
        .replace("&#61;", "=")
}

#[tokio::test]
async fn the_pages_delete_with_a_confirmation_and_undo_without_javascript() {
    let s = demo();
    let id = json(&get(&s, "/api/v1/contacts/Dana%20Reyes").await.1)["contact"]["id"]
        .as_i64()
        .unwrap();
    // The contact page offers Edit and Delete; Delete asks first, and GET changes nothing.
    let (_, page) = get(&s, &format!("/contacts/{id}")).await;
    assert!(page.contains(&format!("href=\"/contacts/{id}/delete\"")));
    let (st, confirm) = get(&s, &format!("/contacts/{id}/delete")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(confirm.contains("Delete Dana Reyes?"), "{confirm}");
    assert_eq!(get(&s, &format!("/contacts/{id}")).await.0, StatusCode::OK);

    let (st, _, h) = send(
        &s,
        crate::support::form(&format!("/contacts/{id}/delete"), ""),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let to = location(&h);
    assert!(to.starts_with("/contacts?notice=deleted&undo="), "{to}");
    let (_, list) = get(&s, &to).await;
    assert!(!list.contains(">Dana Reyes<"), "gone from the list");
    let token = undo_token(&list);
    assert_eq!(token, format!("restore-contact:{id}"));
    let (st, _, h) = send(
        &s,
        crate::support::form(
            "/undo",
            &format!("undo=restore-contact%3A{id}&back=%2Fcontacts"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("/contacts/{id}?notice=undone"));
    assert_eq!(get(&s, &format!("/contacts/{id}")).await.0, StatusCode::OK);
    // A token this program never wrote is refused in words, and a back link off-site ignored.
    let (st, body, _) = send(
        &s,
        crate::support::form("/undo", "undo=format%3Ac&back=https%3A%2F%2Fevil.example"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Undo: "), "{body}");
}

#[tokio::test]
async fn done_snooze_and_move_offer_undo_that_puts_things_back() {
    let s = demo();
    let (_, agenda) = get(&s, "/api/v1/agenda").await;
    let items = json(&agenda);
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "follow-up")
        .expect("a follow-up on the demo agenda")["id"]
        .as_i64()
        .unwrap();
    // Snooze, then Undo: the agenda is as it was.
    let (st, _, h) = send(
        &s,
        crate::support::form(&format!("/items/{item}/snooze"), "until=next+week"),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, today) = get(&s, &location(&h)).await;
    let token = undo_token(&today);
    assert!(token.starts_with("withdraw-snooze:"), "{token}");
    send(
        &s,
        json_req("/api/v1/undo", serde_json::json!({"undo": token})),
    )
    .await;
    assert_eq!(get(&s, "/api/v1/agenda").await.1, agenda);

    // Done, then Undo: the touch is taken back and the item is due again.
    let (st, _, h) = send(
        &s,
        crate::support::form(&format!("/items/{item}/done"), "confirm=yes"),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, today) = get(&s, &location(&h)).await;
    let token = undo_token(&today);
    assert!(token.starts_with("retract-touch:"), "{token}");
    assert_ne!(get(&s, "/api/v1/agenda").await.1, agenda);
    let (st, body, _) = send(
        &s,
        json_req("/api/v1/undo", serde_json::json!({"undo": token})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(get(&s, "/api/v1/agenda").await.1, agenda);

    // Move, then Undo: the job is back at its stage.
    let jobs = json(&get(&s, "/api/v1/jobs").await.1);
    let job = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["stage"] == "applied")
        .unwrap()
        .clone();
    let jid = job["id"].as_i64().unwrap();
    let (_, _, h) = send(
        &s,
        crate::support::form(&format!("/jobs/{jid}/stage"), "stage=interviewing"),
    )
    .await;
    let (_, board) = get(&s, &location(&h)).await;
    let token = undo_token(&board);
    assert_eq!(token, format!("stage:{jid}=applied"));
    send(
        &s,
        json_req("/api/v1/undo", serde_json::json!({"undo": token})),
    )
    .await;
    assert_eq!(
        json(&get(&s, &format!("/api/v1/jobs/{jid}")).await.1)["job"]["stage"],
        "applied"
    );
}

#[tokio::test]
async fn the_edit_forms_keep_what_was_typed_and_say_what_was_wrong() {
    let s = demo();
    let id = json(&get(&s, "/api/v1/contacts/Dana%20Reyes").await.1)["contact"]["id"]
        .as_i64()
        .unwrap();
    let (st, form) = get(&s, &format!("/contacts/{id}/edit")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains("value=\"Dana Reyes\""), "prefilled");
    let before = get(&s, &format!("/api/v1/contacts/{id}")).await.1;
    let (st, page, _) = send(
        &s,
        crate::support::form(
            &format!("/contacts/{id}/edit"),
            "name=Dana+R.&email=not-an-address&birthday=someday",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("value=\"Dana R.\""), "the name as typed");
    assert!(page.contains("value=\"not-an-address\""));
    assert!(page.contains("class=\"field-error\""), "{page}");
    assert!(!page.contains("--email") && !page.contains("--birthday"));
    assert_eq!(get(&s, &format!("/api/v1/contacts/{id}")).await.1, before);
    let (st, _, h) = send(
        &s,
        crate::support::form(
            &format!("/contacts/{id}/edit"),
            "name=Dana+Reyes&email=dana%40northwind.example%2C+dana%40home.example&title=Staff+Engineer",
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("/contacts/{id}?notice=saved"));
    let c = json(&get(&s, &format!("/api/v1/contacts/{id}")).await.1);
    assert_eq!(c["contact"]["emails"].as_array().unwrap().len(), 2);

    // A touch corrected from its form; a bad date comes back beside the field.
    let touch = c["timeline"][0]["id"].as_i64().unwrap();
    let (st, form) = get(
        &s,
        &format!("/touches/{touch}/edit?back=%2Fcontacts%2F{id}"),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains("Retract it"));
    let (st, page, _) = send(
        &s,
        crate::support::form(
            &format!("/touches/{touch}/edit"),
            &format!("kind=follow-up&on=tomorrow&with={id}&back=%2Fcontacts%2F{id}"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("value=\"tomorrow\"") && page.contains("id=\"on-error\""),
        "{page}"
    );
    // Retract from the form: back on the contact page with an Undo.
    let (st, _, h) = send(
        &s,
        crate::support::form(
            &format!("/touches/{touch}/retract"),
            &format!("back=%2Fcontacts%2F{id}"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &location(&h)).await;
    assert_eq!(undo_token(&page), format!("restore-touch:{touch}"));
    let (_, trash) = get(&s, "/trash").await;
    assert!(
        trash.contains(&format!("Touch #{touch}")) && trash.contains("Restore"),
        "{trash}"
    );
}
