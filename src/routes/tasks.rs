//! `/api/v1/tasks`: the work queue — what waits for the caller, overdue first.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::pagination::Page;
use crate::read::tasks::{self, Task, TaskQuery};
use crate::routes::problems::{BadRequest, Forbidden, Unauthorized, Validation};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tasks))
}

/// What waits for the caller (work queue).
///
/// Cases to review (reviewers) or approve (approvers), never one the caller may not decide by four eyes (the
/// recorder does not review, neither recorder nor reviewer approves); cases returned to the inspector who
/// recorded them; appeals (by none of the case's recorder, reviewer, approver or the appellant) and repair
/// applications (not by their applicant) for reviewers; major-case reports for approvers, until 30 days after
/// they were due (policy `cases.report_reminder_days`: the report itself is made outside this service). Admins
/// see every kind, with the same four-eyes exclusions.
///
/// `due_on` counts working days with the holiday calendar from the day the task started waiting (policy
/// `cases.review_due_working_days` 5, `approval_due_working_days` 5, `resubmission_due_working_days` 10,
/// `appeal_decision_working_days` 15; a repair's `decision_due`; a major case's `report_due`). Sorted by
/// `due_on`, earliest first, so overdue tasks lead; ties by kind, then id. Inspector, reviewer, approver,
/// admin; partners, hospitals and auditors decide nothing and get 403.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", security(("bearer" = [])),
    params(TaskQuery),
    responses(
        (status = 200, description = "One page of tasks, overdue first", body = Page<Task>),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 422, response = Validation),
    ))]
async fn list_tasks(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<TaskQuery>,
) -> ApiResult<Json<Page<Task>>> {
    actor.require(&tasks::WORKERS)?;
    Ok(Json(
        tasks::list(&state.db.conn, &state.ctx(), &actor, query).await?,
    ))
}
